"use client";

import {
  columnFilteringFeature,
  createColumnHelper,
  createFilteredRowModel,
  createPaginatedRowModel,
  createSortedRowModel,
  filterFn_includesString,
  globalFilteringFeature,
  rowPaginationFeature,
  rowSortingFeature,
  sortFn_alphanumeric,
  sortFn_basic,
  sortFn_datetime,
  sortFn_text,
  tableFeatures,
  useTable,
  type ColumnDef,
  type RowData,
  type SortingState,
} from "@tanstack/react-table";
import { useState, type ReactNode } from "react";
import { Button } from "@/components/ui/button";
import { cn } from "@/components/ui/cn";
import { Input } from "@/components/ui/input";
import { Table, Td, Th } from "@/components/ui/table";

/** One feature set for every admin list: sort by a column, search all text columns, pages. */
export const adminTableFeatures = tableFeatures({
  rowSortingFeature,
  sortedRowModel: createSortedRowModel(),
  sortFns: { alphanumeric: sortFn_alphanumeric, text: sortFn_text, basic: sortFn_basic, datetime: sortFn_datetime },
  columnFilteringFeature,
  globalFilteringFeature,
  filteredRowModel: createFilteredRowModel(),
  filterFns: { includesString: filterFn_includesString },
  rowPaginationFeature,
  paginatedRowModel: createPaginatedRowModel(),
});
export type AdminTableFeatures = typeof adminTableFeatures;

export function adminColumns<T extends RowData>() {
  return createColumnHelper<AdminTableFeatures, T>();
}

/** The sort direction as an icon (hidden from screen readers: they get it as words, from the header's aria-sort and the button's name). */
function SortMark({ direction }: { direction: false | "asc" | "desc" }) {
  return (
    <svg viewBox="0 0 12 12" aria-hidden className={cn("h-3 w-3", direction ? "text-indigo-700" : "text-slate-400")} fill="currentColor">
      {direction !== "desc" ? <path d={direction === "asc" ? "M6 2 10 8H2z" : "M6 1 9 5H3z"} /> : null}
      {direction !== "asc" ? <path d={direction === "desc" ? "M6 10 2 4h8z" : "M6 11 3 7h6z"} /> : null}
    </svg>
  );
}

/** A column's header as plain text (for the card layout's cell labels and the sort button's name). */
function headerText(header: unknown, id: string): string {
  return typeof header === "string" ? header : id;
}

type Props<T extends RowData> = {
  label: string;
  data: T[];
  // Columns of one table have different value types.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  columns: ColumnDef<AdminTableFeatures, T, any>[];
  /** Placeholder of the search box; no box when absent. */
  search?: string;
  pageSize?: number;
  initialSort?: SortingState;
  /** Extra controls beside the search box (e.g. an "Add" button). */
  toolbar?: ReactNode;
  rowId?: (row: T) => string;
};

/** A list with sortable columns, a search box over its text and pages (client-side). */
export function DataTable<T extends RowData>({ label, data, columns, search, pageSize = 20, initialSort = [], toolbar, rowId }: Props<T>) {
  const [sorting, setSorting] = useState<SortingState>(initialSort);
  const [globalFilter, setGlobalFilter] = useState("");
  const [pagination, setPagination] = useState({ pageIndex: 0, pageSize });
  const table = useTable({
    features: adminTableFeatures,
    columns,
    data,
    state: { sorting, globalFilter, pagination },
    onSortingChange: setSorting,
    onGlobalFilterChange: setGlobalFilter,
    onPaginationChange: setPagination,
    globalFilterFn: "includesString",
    getRowId: rowId ? (row: T) => rowId(row) : undefined,
  });
  const rows = table.getRowModel().rows;
  // On phones the table is cards without its header row: the sort is chosen here instead.
  const sortable = table.getAllLeafColumns().filter((c) => c.getCanSort());
  const sortValue = sorting[0] ? `${sorting[0].id}:${sorting[0].desc ? "desc" : "asc"}` : "";
  const sortSelect = sortable.length ? (
    <label className="flex items-center gap-2 text-sm text-slate-700 md:hidden">
      Sort by
      <select
        value={sortValue}
        onChange={(e) => {
          const [id, dir] = e.target.value.split(":");
          setSorting(id ? [{ id, desc: dir === "desc" }] : []);
        }}
        className="rounded-md border-0 bg-white px-2 py-1.5 text-sm text-slate-900 shadow-xs ring-1 ring-inset ring-slate-300 focus:ring-2 focus:ring-indigo-600"
      >
        <option value="">Default order</option>
        {sortable.flatMap((c) => {
          const name = headerText(c.columnDef.header, c.id);
          return [
            <option key={`${c.id}:asc`} value={`${c.id}:asc`}>
              {name}, ascending
            </option>,
            <option key={`${c.id}:desc`} value={`${c.id}:desc`}>
              {name}, descending
            </option>,
          ];
        })}
      </select>
    </label>
  ) : null;
  const matching = table.getFilteredRowModel().rows.length;
  const first = pagination.pageIndex * pagination.pageSize;

  return (
    <div className="space-y-3">
      {search || toolbar || sortSelect ? (
        <div className="flex flex-wrap items-center justify-between gap-3">
          {search ? (
            <div className="w-full sm:max-w-xs">
              <Input
                type="search"
                aria-label={`Search ${label.toLowerCase()}`}
                placeholder={search}
                value={globalFilter}
                onChange={(e) => {
                  setGlobalFilter(e.target.value);
                  setPagination((p) => ({ ...p, pageIndex: 0 }));
                }}
              />
            </div>
          ) : (
            <span />
          )}
          {sortSelect}
          {toolbar}
        </div>
      ) : null}
      <Table label={label}>
        <thead>
          {table.getHeaderGroups().map((group) => (
            <tr key={group.id}>
              {group.headers.map((header) => {
                const sorted = header.column.getIsSorted();
                const name = headerText(header.column.columnDef.header, header.column.id);
                const next = sorted === "asc" ? "descending" : "ascending";
                return (
                  <Th key={header.id} aria-sort={sorted === "asc" ? "ascending" : sorted === "desc" ? "descending" : header.column.getCanSort() ? "none" : undefined}>
                    {header.isPlaceholder ? null : header.column.getCanSort() ? (
                      <button
                        type="button"
                        onClick={header.column.getToggleSortingHandler()}
                        title={`Sort by ${name.toLowerCase()}, ${next}`}
                        className="inline-flex items-center gap-1 uppercase hover:text-slate-900"
                      >
                        <table.FlexRender header={header} />
                        <span className="sr-only">{sorted ? `, sorted ${sorted === "asc" ? "ascending" : "descending"}` : ", sortable"}</span>
                        <SortMark direction={sorted} />
                      </button>
                    ) : (
                      <table.FlexRender header={header} />
                    )}
                  </Th>
                );
              })}
            </tr>
          ))}
        </thead>
        <tbody className="divide-y divide-slate-100">
          {rows.length === 0 ? (
            <tr>
              <Td colSpan={columns.length} className="py-8 text-center text-slate-500">
                {globalFilter ? `Nothing matches “${globalFilter}”.` : "Nothing here yet."}
              </Td>
            </tr>
          ) : (
            rows.map((row) => (
              <tr key={row.id} className="hover:bg-slate-50/60">
                {row.getAllCells().map((cell) => (
                  <Td key={cell.id} label={headerText(cell.column.columnDef.header, cell.column.id) || undefined}>
                    <table.FlexRender cell={cell} />
                  </Td>
                ))}
              </tr>
            ))
          )}
        </tbody>
      </Table>
      {matching > pagination.pageSize ? (
        <div className="flex items-center justify-between text-sm text-slate-600">
          <span>
            {first + 1}–{Math.min(first + pagination.pageSize, matching)} of {matching}
          </span>
          <div className="flex gap-2">
            <Button variant="secondary" size="sm" onClick={() => table.previousPage()} disabled={!table.getCanPreviousPage()}>
              Previous
            </Button>
            <Button variant="secondary" size="sm" onClick={() => table.nextPage()} disabled={!table.getCanNextPage()}>
              Next
            </Button>
          </div>
        </div>
      ) : null}
    </div>
  );
}
