# python3: json, re, hashlib, subprocess, threads, asyncio, sockets, mmap, signals, a small computation
import array, asyncio, collections, concurrent.futures, decimal, fractions, hashlib, itertools, json, math, mmap
import multiprocessing, os, random, re, select, signal, socket, struct, subprocess, sys, threading, time, zlib
import bz2, lzma, pickle, base64, datetime, unicodedata, tempfile, ctypes
d = {"a": [1, 2.5, None, True], "b": {"c": "\u00e9\u20ac"}, "n": 10**20}
s = json.dumps(d, sort_keys=True); print(s, json.loads(s) == d)
print(json.dumps(json.loads('{"x": [1e300, -0.0, 3.14159]}')))
print(re.findall(r"\b\w+\b", "The quick brown fox, jumps over 13 lazy dogs; 42 times!"))
print(re.sub(r"(\d+)", lambda m: str(int(m.group(1)) * 2), "a1 b22 c333"), re.match(r"(?P<k>\w+)=(?P<v>[^;]+)", "key=value;rest").groupdict())
for h in ("md5", "sha1", "sha256", "sha512", "sha3_256", "blake2b"):
    print(h, hashlib.new(h, b"mimic" * 1000).hexdigest()[:32])
print("pbkdf2", hashlib.pbkdf2_hmac("sha256", b"pw", b"salt", 1000).hex()[:16])
r = subprocess.run(["python3", "-c", "import sys; print('child', sys.argv[1:]); sys.exit(4)", "x", "y"], capture_output=True, text=True)
print("subprocess", r.returncode, r.stdout.strip())
print("pipeline", subprocess.run("seq 1 100 | sort -rn | head -3 | tr '\\n' ' '", shell=True, capture_output=True, text=True).stdout)
res = [0] * 4; lock = threading.Lock(); total = [0]
def work(i):
    s = 0
    for k in range(20000): s += (k * i) % 7
    res[i] = s
    with lock: total[0] += s
ts = [threading.Thread(target=work, args=(i,)) for i in range(4)]
[t.start() for t in ts]; [t.join() for t in ts]; print("threads", res, total[0])
def primes(n):
    sieve = bytearray([1]) * (n + 1); sieve[0:2] = b"\0\0"
    for i in range(2, int(n ** 0.5) + 1):
        if sieve[i]: sieve[i*i::i] = bytearray(len(sieve[i*i::i]))
    return [i for i, v in enumerate(sieve) if v]
p = primes(200000); print("primes", len(p), p[-3:], sum(p) % 1000003)
print(math.factorial(30), math.gamma(5.5), math.lgamma(100), math.erf(0.5), math.fsum([0.1] * 10), 2 ** 0.5, math.pi)
print(f"{1/3:.17g} {1e-310!r} {float('inf')} {-0.0} {12345.6789:,.2f} {255:#x} {3.0e20:g}")
c = collections.Counter("abracadabra"); print(c.most_common(3), list(itertools.accumulate(range(10))))
print(struct.pack("<iqd", -1, 2**40, 1.5).hex(), zlib.crc32(b"hello"), len(zlib.compress(b"a" * 10000, 9)))
decimal.getcontext().prec = 40; print(decimal.Decimal(2).sqrt(), fractions.Fraction(3, 7) + fractions.Fraction(1, 3))
random.seed(42); print([random.randint(0, 100) for _ in range(5)], random.random())
print(base64.b64encode(bz2.compress(b"x" * 100))[:10], len(lzma.compress(b"y" * 1000)), pickle.loads(pickle.dumps({"a": (1, 2)})))
print(unicodedata.name("\u20ac"), "Stra\u00dfe".upper(), datetime.datetime(2024, 2, 29, 12) + datetime.timedelta(days=366))
try:
    import sqlite3
    con = sqlite3.connect(":memory:"); con.execute("create table t(x)"); con.executemany("insert into t values (?)", [(i,) for i in range(100)])
    print("sqlite3", con.execute("select sum(x), avg(x) from t").fetchone())
except ImportError as e:
    print("no sqlite3")
print("ctypes", ctypes.sizeof(ctypes.c_long), ctypes.CDLL(None).getpid() == os.getpid())
async def worker(n, q):
    await asyncio.sleep(0.01 * n); await q.put(n * n)
async def amain():
    q = asyncio.Queue(); await asyncio.gather(*(worker(i, q) for i in range(5)))
    print("asyncio", sorted([await q.get() for _ in range(5)]))
    proc = await asyncio.create_subprocess_exec("echo", "from-async", stdout=asyncio.subprocess.PIPE)
    o, _ = await proc.communicate(); print(o.decode().strip(), proc.returncode)
asyncio.run(amain())
srv = socket.socket(); srv.bind(("127.0.0.1", 0)); srv.listen()
def serve():
    c, _ = srv.accept(); c.sendall(c.recv(100).upper()); c.close()
t = threading.Thread(target=serve); t.start()
cl = socket.create_connection(srv.getsockname()); cl.sendall(b"hello tcp"); print(cl.recv(100)); t.join(); cl.close()
a, b = socket.socketpair(socket.AF_UNIX, socket.SOCK_DGRAM); r, w = os.pipe()
socket.send_fds(a, [b"fds"], [r]); msg, fds, _, _ = socket.recv_fds(b, 100, 4); os.write(w, b"via-passed-fd"); print("scm_rights", msg, os.read(fds[0], 100))
with open("m.bin", "wb") as f: f.write(b"\0" * 8192)
with open("m.bin", "r+b") as f:
    m = mmap.mmap(f.fileno(), 0); m[0:5] = b"hello"; m.flush(); m.close()
print("mmap", open("m.bin", "rb").read(5))
with concurrent.futures.ProcessPoolExecutor(2) as ex: print("processes", list(ex.map(pow, [2, 3, 4], [10, 10, 10])))
with multiprocessing.Pool(2) as pool: print("pool", pool.map(abs, [-1, -2, 3]))
hits = []; signal.signal(signal.SIGUSR1, lambda s, f: hits.append(s))
th = threading.Thread(target=lambda: os.kill(os.getpid(), signal.SIGUSR1)); th.start(); th.join(); time.sleep(0.05); print("signal from thread", hits)
signal.signal(signal.SIGALRM, lambda *a: print("alarm")); signal.setitimer(signal.ITIMER_REAL, 0.05); time.sleep(0.2)
old = signal.pthread_sigmask(signal.SIG_BLOCK, [signal.SIGUSR2]); os.kill(os.getpid(), signal.SIGUSR2)
print("sigwait", signal.SIGUSR2 in signal.sigpending(), signal.sigwait([signal.SIGUSR2])); signal.pthread_sigmask(signal.SIG_SETMASK, old)
pid = os.fork()
if pid == 0: os._exit(42)
print("fork", os.waitpid(pid, 0)[1] >> 8)
ep = select.epoll(); r, w = os.pipe(); ep.register(r, select.EPOLLIN | select.EPOLLET); os.write(w, b"x"); print("epoll", ep.poll(1) == [(r, 1)], ep.poll(0.01))
with tempfile.TemporaryDirectory() as td: open(os.path.join(td, "x"), "w").write("x"); print("tempdir", os.listdir(td))
print("array", sum(array.array("d", (i * 0.5 for i in range(100000)))))
sys.exit(5)
