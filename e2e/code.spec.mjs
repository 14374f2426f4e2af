// The browser code sandbox: Pyodide from the app's own /pyodide/ assets in a worker. HumanEval(+)
// canonical solutions pass and `return None` fails, through the Verify panel and its API; hostile
// programs (endless loop, fork bomb, 10 GB, writes outside the sandbox, sockets and HTTP by every
// route we know) are stopped or refused, graded wrong, and leave the host untouched.
import { existsSync, readFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { assert, openApp } from './helpers.mjs';
import { test } from './fixtures.mjs';

const fence = (code) => `<think>plan</think> <answer>\`\`\`python\n${code}\n\`\`\`</answer>`;

function lines(repoRoot, file) {
  return readFileSync(path.resolve(repoRoot, 'data', file), 'utf8')
    .split('\n')
    .filter((l) => l.trim());
}

async function grade(page, task, record, completion, timeoutMs) {
  return page.evaluate(
    ({ task, record, completion, timeoutMs }) => globalThis.warmup.gradeRecord(task, record, completion, timeoutMs),
    {
      task,
      record,
      completion,
      timeoutMs,
    },
  );
}

test('code: Pyodide sandbox grades HumanEval and HumanEval+ samples (canonical passes, return None fails)', async ({
  page,
  baseUrl,
  repoRoot,
  resultsDir,
}) => {
  // 41 fresh Pyodide interpreters, one per grade: 204-246 s in clean-clone runs on a quiet 2-core machine,
  // over 240 s under load; 3x the quiet figure so a slower CI machine does not fail it
  test.setTimeout(720_000);
  await openApp(page, baseUrl);
  const records = lines(repoRoot, 'humaneval-sample.jsonl');
  // As a user would: paste a record and a completion into the Verify panel.
  const first = JSON.parse(records[0]);
  await page.selectOption('#verify-task', 'code');
  await page.fill('#verify-record', records[0]);
  await page.fill('#verify-completion', fence(first.prompt + first.canonical_solution));
  await page.click('#verify-run');
  await page.waitForFunction(
    () => (document.getElementById('verify-result')?.textContent ?? '').includes('reward'),
    null,
    { timeout: 120_000 },
  );
  const badges = await page.textContent('#verify-result');
  assert.match(
    badges ?? '',
    /correct/,
    `canonical solution in the panel: ${badges} / ${await page.textContent('#verify-detail')}`,
  );
  assert.doesNotMatch(badges ?? '', /wrong/);
  await page.screenshot({ path: path.join(resultsDir, 'code-verify-panel.png') });

  for (const file of ['humaneval-sample.jsonl', 'humanevalplus-mini-sample.jsonl']) {
    for (const line of lines(repoRoot, file)) {
      const r = JSON.parse(line);
      const good = await grade(page, 'code', line, fence(r.prompt + r.canonical_solution), 60_000);
      assert.ok(good.correct && good.reward === 2, `${file} ${r.task_id}: canonical graded ${JSON.stringify(good)}`);
      const bad = await grade(
        page,
        'code',
        line,
        fence(`def ${r.entry_point}(*args, **kwargs):\n    return None`),
        60_000,
      );
      assert.ok(!bad.correct && bad.reward === -1, `${file} ${r.task_id}: return None graded ${JSON.stringify(bad)}`);
    }
  }
});
test('code: hostile programs in Pyodide are stopped at the time limit or refused, and graded wrong', async ({
  page,
  baseUrl,
  repoRoot,
}) => {
  test.setTimeout(180_000);
  await openApp(page, baseUrl);
  const line = lines(repoRoot, 'humaneval-sample.jsonl')[0];
  const r = JSON.parse(line);
  const def = `def ${r.entry_point}(*args, **kwargs):\n`;
  // Load Pyodide first so the time limits below measure the programs, not the start-up.
  const warm = await grade(page, 'code', line, fence(r.prompt + r.canonical_solution), 120_000);
  assert.ok(warm.correct, `warm-up run: ${JSON.stringify(warm)}`);

  // A TCP listener on the host counts every connection a program manages to open.
  let connections = 0;
  const listener = net.createServer((sock) => {
    connections++;
    sock.destroy();
  });
  await new Promise((resolve) => listener.listen(0, '127.0.0.1', resolve));
  const port = listener.address().port;
  const url = `http://127.0.0.1:${port}/`;
  const marker = `warmup-e2e-escape-${Date.now()}`;
  const hostile = {
    'endless loop': `while True:\n    pass`,
    'endless loop inside the function': `${def}    while True:\n        pass`,
    'fork bomb': `import os\nwhile True:\n    os.fork()`,
    '10 GB allocation': `x = bytearray(10 * 1024 ** 3)\n${def}    return x`,
    'memory hog (grows until the heap is full)': `x = []\nwhile True:\n    x.append(bytearray(256 * 1024 ** 2))\n${def}    return x`,
    'write outside the sandbox': `for p in ['/${marker}', '../${marker}', '/tmp/../../${marker}']:\n    open(p, 'w').write('x')\n${def}    return None`,
    'network socket': `import socket\ns = socket.create_connection(('127.0.0.1', ${port}), timeout=1)\ns.sendall(b'GET / HTTP/1.0\\r\\n\\r\\n')\n${def}    return None`,
    'HTTP from Python': `import pyodide.http\npyodide.http.open_url('${url}')\n${def}    return None`,
    'fetch through the js module': `import js\njs.fetch('${url}')\n${def}    return None`,
    // Any JS object leads to the Function constructor and so to the worker's real global scope.
    'fetch through a JS object': `import pyodide_js\npyodide_js.setStdout.constructor("return globalThis.fetch('${url}')")()\n${def}    return None`,
    'XMLHttpRequest through a JS object': `import pyodide_js\nF = pyodide_js.setStdout.constructor\nF("const x = new XMLHttpRequest(); x.open('GET', '${url}', false); x.send()")()\n${def}    return None`,
    'dynamic import through a JS object': `import pyodide_js, time\npyodide_js.setStdout.constructor("return import('${url}x.mjs')")()\ntime.sleep(1)\n${def}    return None`,
  };
  const limitMs = 4_000;
  const details = [];
  for (const [what, code] of Object.entries(hostile)) {
    const t0 = Date.now();
    const g = await grade(page, 'code', line, fence(code), limitMs);
    const took = Date.now() - t0;
    assert.ok(!g.correct && g.reward === -1, `${what}: graded ${JSON.stringify(g)}`);
    // The limit counts from the program's start; before it, a fresh interpreter may still be
    // loading (seconds on a busy CPU), so the wall-time bound allows for one load.
    assert.ok(took < limitMs + 20_000, `${what}: took ${took} ms with a ${limitMs} ms limit`);
    if (what.startsWith('endless'))
      assert.match(g.detail ?? '', new RegExp(`timed out after ${limitMs} ms`), `${what}: ${g.detail}`);
    details.push(`${what}: ${g.detail} (${took} ms)`);
  }
  await new Promise((resolve) => setTimeout(resolve, 500));
  listener.close();
  assert.equal(connections, 0, `programs opened ${connections} connection(s) to a host port`);
  for (const p of [path.join('/', marker), path.join(repoRoot, marker), path.join(repoRoot, '..', marker)]) {
    assert.ok(!existsSync(p), `the sandbox wrote ${p} on the host`);
  }
  // After a terminated worker the next run gets a fresh interpreter and still grades right.
  const after = await grade(page, 'code', line, fence(r.prompt + r.canonical_solution), 120_000);
  assert.ok(after.correct, `run after the hostile ones: ${JSON.stringify(after)}`);
  const stillBad = await grade(page, 'code', line, fence(`${def}    return None`), 60_000);
  assert.ok(!stillBad.correct, 'return None still fails after the hostile runs');
  console.log(`     ${details.join('\n     ')}`);
});
