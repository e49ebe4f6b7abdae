// A Go program for mimic's tests: the Go runtime is a demanding guest (goroutines on several OS
// threads, futexes, signal-based preemption with SIGURG, per-thread alternate signal stacks,
// faults turned into panics, epoll-driven sockets, fork/exec). run_go.py builds it for the
// guests and for the host, and the host's own run is the expected output.
package main

import (
	"bufio"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"os/signal"
	"runtime"
	"sort"
	"strings"
	"sync"
	"syscall"
	"time"
)

func fib(n int) int {
	if n < 2 {
		return n
	}
	return fib(n-1) + fib(n-2)
}

func main() {
	// goroutines and channels across OS threads
	runtime.GOMAXPROCS(4)
	var wg sync.WaitGroup
	results := make(chan int, 100)
	for i := 0; i < 100; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			results <- fib(15 + i%5)
		}(i)
	}
	wg.Wait()
	close(results)
	sum := 0
	for r := range results {
		sum += r
	}
	fmt.Println("goroutines sum:", sum)

	// mutex contention
	var mu sync.Mutex
	counter := 0
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := 0; j < 20000; j++ {
				mu.Lock()
				counter++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	fmt.Println("counter:", counter)

	// async preemption: a tight loop must not block the GC / other goroutines
	done := make(chan bool)
	go func() {
		x := 0
		for i := 0; i < 2000000000; i++ {
			x += i
			select {
			case <-done:
				return
			default:
			}
		}
	}()
	start := time.Now()
	runtime.GC()
	time.Sleep(50 * time.Millisecond)
	close(done)
	fmt.Println("GC with a busy goroutine finished:", time.Since(start) < 20*time.Second)

	// a busy loop without function calls: only signal-based preemption can stop it
	stop := false
	var smu sync.Mutex
	go func() {
		for {
			smu.Lock()
			s := stop
			smu.Unlock()
			if s {
				return
			}
		}
	}()
	tight := make(chan int)
	go func() {
		y := 0
		for i := 0; i < 300000000; i++ {
			y ^= i
		}
		tight <- y
	}()
	runtime.GC()
	fmt.Println("tight loop result:", <-tight)
	smu.Lock()
	stop = true
	smu.Unlock()

	// signals
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGUSR1)
	syscall.Kill(os.Getpid(), syscall.SIGUSR1)
	select {
	case s := <-sigs:
		fmt.Println("got signal:", s)
	case <-time.After(5 * time.Second):
		fmt.Println("signal timeout")
	}

	// json, sort, sha256, maps, strings
	m := map[string]int{}
	for _, w := range strings.Fields("the quick brown fox jumps over the lazy dog the end") {
		m[w]++
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	b, _ := json.Marshal(m)
	fmt.Println(keys, string(b))
	fmt.Printf("sha256: %x\n", sha256.Sum256([]byte(strings.Repeat("mimic", 1000))))

	// exec of a child process (the same binary, another mode)
	if len(os.Args) > 1 && os.Args[1] == "child" {
		fmt.Println("child running")
		os.Exit(3)
	}
	cmd := exec.Command("/proc/self/exe", "child")
	out, err := cmd.Output()
	fmt.Printf("child output %q err %v\n", string(out), err)

	// a host program
	hostOut, err := exec.Command("/bin/sh", "-c", "echo host shell $((6*7))").Output()
	fmt.Printf("host program: %q %v\n", string(hostOut), err)

	// TCP over loopback: the runtime's epoll netpoller, non-blocking sockets, accept4
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Println("listen:", err)
		return
	}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func(c net.Conn) {
				defer c.Close()
				line, _ := bufio.NewReader(c).ReadString('\n')
				fmt.Fprintf(c, "hello %s", strings.ToUpper(line))
			}(c)
		}
	}()
	var replies []string
	var rmu sync.Mutex
	for i := 0; i < 20; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			reply := "error"
			if c, err := net.Dial("tcp", ln.Addr().String()); err == nil {
				fmt.Fprintf(c, "client%d\n", i%3)
				b, _ := io.ReadAll(c)
				c.Close()
				reply = strings.TrimSpace(string(b))
			}
			rmu.Lock()
			replies = append(replies, reply)
			rmu.Unlock()
		}(i)
	}
	wg.Wait()
	ln.Close()
	sort.Strings(replies)
	fmt.Println(len(replies), "TCP replies, first and last:", replies[0], "|", replies[len(replies)-1])

	// panic/recover with a nil dereference (SIGSEGV turned into a runtime panic)
	func() {
		defer func() { fmt.Println("recovered:", recover()) }()
		var p *int
		fmt.Println(*p)
	}()
	// integer division by zero
	func() {
		defer func() { fmt.Println("recovered:", recover()) }()
		z := 0
		fmt.Println(10 / z)
	}()
	// timers
	t0 := time.Now()
	tk := time.NewTicker(10 * time.Millisecond)
	n := 0
	for range tk.C {
		n++
		if n == 10 {
			break
		}
	}
	tk.Stop()
	fmt.Println("ticker ok:", time.Since(t0) >= 90*time.Millisecond)
}
