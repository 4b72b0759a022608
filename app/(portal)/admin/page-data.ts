import "server-only";
import { notFound } from "next/navigation";
import { isAppError } from "@/lib/errors";

/** Loads what a detail page shows; an unknown id is the 404 page. */
export async function or404<T>(load: Promise<T>): Promise<T> {
  try {
    return await load;
  } catch (error) {
    if (isAppError(error) && error.code === "not_found") notFound();
    throw error;
  }
}
