// InfluxQL through plain HTTP (not the code under test), for tests and the benchmark: rows as objects, times in ms.
export type Row = Record<string, unknown>;

export async function influxSelect(url: string, database: string, q: string): Promise<Row[]> {
  const res = await fetch(`${url}/query?db=${database}&epoch=ms&q=${encodeURIComponent(q)}`, { method: 'POST' });
  const body = (await res.json()) as { results: { error?: string; series?: { columns: string[]; values: unknown[][] }[] }[] };
  const result = body.results[0];
  if (result?.error) throw new Error(result.error);
  return (result?.series ?? []).flatMap((s) => s.values.map((v) => Object.fromEntries(s.columns.map((c, i) => [c, v[i]]))));
}

export async function influxCount(url: string, database: string, source: string, field: string): Promise<number> {
  const rows = await influxSelect(url, database, `SELECT count(${field}) FROM ${source}`);
  return Number(rows[0]?.count ?? 0);
}
