/**
 * Runs of repetitive provider log lines folded into one (issue 12): a clone's hundreds of
 * "transferred 1.2 GiB of 32.0 GiB (4.01%)" lines become one progress line (the last of the run)
 * that can be expanded. Lines are alike when they are equal once their numbers are taken out.
 */
export type LogGroup<L> = { kind: "line"; line: L } | { kind: "run"; first: L; last: L; lines: L[] };

/** The shape of a line with its numbers taken out ("transferred # GiB of # GiB (#%)"). */
export function lineShape(text: string): string {
  return text.replace(/\d+(?:[.,]\d+)*/g, "#").trim();
}

/** Groups consecutive lines of one shape (at least `min` of them; lines with no number never fold). */
export function collapseLog<L>(lines: L[], textOf: (line: L) => string, min = 4): LogGroup<L>[] {
  const groups: LogGroup<L>[] = [];
  let i = 0;
  while (i < lines.length) {
    const text = textOf(lines[i]!);
    const shape = lineShape(text);
    let j = i + 1;
    if (shape !== text.trim()) while (j < lines.length && lineShape(textOf(lines[j]!)) === shape) j++;
    if (j - i >= min) groups.push({ kind: "run", first: lines[i]!, last: lines[j - 1]!, lines: lines.slice(i, j) });
    else for (let k = i; k < j; k++) groups.push({ kind: "line", line: lines[k]! });
    i = j;
  }
  return groups;
}
