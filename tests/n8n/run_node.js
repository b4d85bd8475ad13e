// Runs a piece of an n8n workflow the way n8n would, for the tests (node, no n8n):
//   {"mode": "code", "code": "...", "items": [{"json": {...}, "raw": "..."}], "env": {...}}
//     runs a Code node's JavaScript ("Run Once for All Items") over the items;
//   {"mode": "expression", "value": "={{ ... }}", "json": {...}, "nodes": {"Name": {...}}}
//     evaluates a parameter's expression with $json and $('Name').item.json.
// Reads the request on stdin, writes the result as JSON on stdout.
const chunks = [];
process.stdin.on('data', (chunk) => chunks.push(chunk));
process.stdin.on('end', async () => {
  const request = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  const result = request.mode === 'code' ? await runCode(request) : evaluate(request);
  process.stdout.write(JSON.stringify(result));
});

async function runCode({ code, items, env }) {
  const AsyncFunction = Object.getPrototypeOf(async function () {}).constructor;
  const input = { all: () => items.map((item) => ({ json: item.json })) };
  const helpers = {
    getBinaryDataBuffer: async (index, property) => {
      if (property !== 'data') throw new Error(`no binary property ${property}`);
      return Buffer.from(items[index].raw, 'utf8');
    },
  };
  const body = new AsyncFunction('$input', '$env', 'require', code);
  return body.call({ helpers }, input, env, require);
}

function evaluate({ value, json, nodes }) {
  if (typeof value !== 'string' || !value.startsWith('=')) return value;
  const $ = (name) => {
    if (!(name in nodes)) throw new Error(`no node ${name}`);
    return { item: { json: nodes[name] }, first: () => ({ json: nodes[name] }) };
  };
  return value.slice(1).replace(/\{\{([\s\S]+?)\}\}/g, (_, expression) => {
    const result = new Function('$json', '$', `return (${expression});`)(json, $);
    return typeof result === 'string' ? result : JSON.stringify(result);
  });
}
