// Stands in for the app's services/api.ts (an axios instance): the same base URL (`/api/v1`
// of the box), the same headers (JSON content type on every call, `Authorization: Bearer`),
// and axios's behaviour that consent.ts relies on: `{ data }` on 2xx, a thrown error
// otherwise, `params` as the query string. The token comes from the test (IRISD_TOKEN).

const BASE = `${process.env.IRISD_URL}/api/v1`;

async function request(method, path, { params, body } = {}) {
  const url = new URL(BASE + path);
  for (const [key, value] of Object.entries(params || {})) url.searchParams.set(key, value);
  const resp = await fetch(url, {
    method,
    headers: {
      "Content-Type": "application/json",
      Authorization: `Bearer ${process.env.IRISD_TOKEN}`,
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await resp.text();
  const data = text ? JSON.parse(text) : null;
  if (resp.status < 200 || resp.status >= 300) {
    const error = new Error(`Request failed with status code ${resp.status}`);
    error.response = { status: resp.status, data };
    throw error;
  }
  return { status: resp.status, data };
}

export default {
  get: (path, config = {}) => request("GET", path, config),
  post: (path, body, config = {}) => request("POST", path, { ...config, body }),
};
