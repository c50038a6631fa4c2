// The reference data the pages search, read from the project's data/
// (served at /data/): the 2021 National Catalogue of Hazardous Wastes and
// the treatment and utilisation methods.

function parseCsv(text) {
  const rows = [];
  for (const line of text.split('\n')) {
    if (!line.trim() || line.startsWith('#')) continue;
    const cells = [];
    let cell = '';
    let quoted = false;
    for (let i = 0; i < line.length; i++) {
      const c = line[i];
      if (quoted) {
        if (c === '"' && line[i + 1] === '"') { cell += '"'; i++; }
        else if (c === '"') quoted = false;
        else cell += c;
      } else if (c === '"') quoted = true;
      else if (c === ',') { cells.push(cell); cell = ''; }
      else cell += c;
    }
    cells.push(cell.replace(/\r$/, ''));
    rows.push(cells);
  }
  const [header, ...body] = rows;
  return body.map((r) => Object.fromEntries(header.map((h, i) => [h, r[i] || ''])));
}

async function csv(path) {
  const res = await fetch(path);
  if (!res.ok) throw new Error(`${path}: HTTP ${res.status}`);
  return parseCsv(await res.text());
}

export const loadCatalogue = () => csv('/data/cn-hazardous-waste-catalogue-2021.csv');
export const loadMethods = () => csv('/data/cn-treatment-methods.csv');

// Cities by their 4-digit code: {code: name}.
export async function loadCities() {
  const rows = await csv('/data/cn-divisions/cities.csv');
  return Object.fromEntries(rows.map((r) => [r.code, r.name]));
}
