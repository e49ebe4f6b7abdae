// CPU-bound: objects, closures, strings, a sort and a sieve; prints a checksum.
function sieve(n) { const a = new Uint8Array(n + 1); let c = 0;
  for (let i = 2; i <= n; i++) { if (!a[i]) { c++; for (let j = i * i; j <= n; j += i) a[j] = 1; } } return c; }
function fib(n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }
let h = 0;
for (let r = 0; r < 3; r++) {
  const objs = []; for (let i = 0; i < 60000; i++) objs.push({ k: (i * 7919) % 10007, s: 'x' + i });
  objs.sort((a, b) => a.k - b.k || (a.s < b.s ? -1 : 1));
  h = (h * 31 + objs[12345].k + sieve(300000) + fib(25)) >>> 0;
  const m = new Map(); for (const o of objs) m.set(o.s, o.k); h = (h + m.get('x777')) >>> 0;
  h = (h + JSON.stringify(objs.slice(0, 2000)).length) >>> 0;
}
console.log('checksum', h);
