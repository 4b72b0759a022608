/** "Request more" (issue 14): users ask for more of single limits, admins approve (time-limited grants) or refuse. */
export { createQuotaRequest } from "./create-request";
export { listQuotaRequests, getQuotaRequest, pendingQuotaRequests } from "./list-requests";
export { approveQuotaRequest, refuseQuotaRequest } from "./decide";
