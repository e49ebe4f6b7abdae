// Four worker_threads each compute, the main thread combines their results.
const { Worker, isMainThread, parentPort, workerData } = require('worker_threads');
function work(seed) { let h = seed; const a = [];
  for (let i = 0; i < 40000; i++) a.push(((i * 2654435761) ^ seed) >>> 0);
  a.sort((x, y) => x - y); for (let i = 0; i < a.length; i += 7) h = (h * 33 + a[i]) >>> 0;
  const o = {}; for (let i = 0; i < 20000; i++) o['k' + (i % 997)] = (o['k' + (i % 997)] | 0) + i;
  return (h + Object.keys(o).length + JSON.stringify(o).length) >>> 0; }
if (isMainThread) {
  let done = 0, h = 0;
  for (let t = 0; t < 4; t++) {
    const w = new Worker(__filename, { workerData: t + 1 });
    w.on('message', (v) => { h = (h + v) >>> 0; if (++done === 4) console.log('checksum', h); });
  }
} else { let v = 0; for (let r = 0; r < 3; r++) v = (v + work(workerData + r)) >>> 0; parentPort.postMessage(v); }
