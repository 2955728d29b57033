// Command rssload measures the server's resident memory under hostile anonymous traffic
// (issue 13): it starts `bin/raporrb serve` on an empty data directory, reads its RSS idle,
// sends 1 GB of anonymous bodies (2,048 form bodies just under the body limit, read whole and
// refused; then 32 chunked multipart bodies of 16 MB offered to the login API, refused while
// reading), reads the RSS, sends 600,000 cookieless GET /healthz, and reads it again. Each
// figure is printed beside the idle RSS, its anchor. Bounded: a few minutes at most on 2
// cores; it stops the server when done. Run it with `make rss` (after `make build`).
package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

const (
	formBodies    = 2048
	formBodySize  = 255 << 10 // under the 256 KB body limit: read whole, then refused (no CSRF)
	chunkedBodies = 32
	chunkedSize   = 16 << 20 // with the form bodies, 1 GB offered in all
	gets          = 600_000
	workers       = 8
	budget        = 4 * time.Minute
	allowedGrowth = 20 << 20 // the bound: within 20 MB of idle
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "rssload:", err)
		os.Exit(1)
	}
}

func run() error {
	ctx, cancel := context.WithTimeout(context.Background(), budget)
	defer cancel()
	bin := "bin/raporrb"
	if len(os.Args) > 1 {
		bin = os.Args[1]
	}
	dir, err := os.MkdirTemp("", "raporrb-rss")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	addr := ln.Addr().String()
	_ = ln.Close()
	cmd := exec.CommandContext(ctx, bin, "serve") // #nosec G204 G702 -- the binary this repo builds, named by the Makefile
	cmd.Env = append(os.Environ(), "ADDR="+addr, "DATA_DIR="+filepath.Join(dir, "data"), "SEED_DEMO=false", "LOG_LEVEL=error")
	cmd.Stdout, cmd.Stderr = io.Discard, os.Stderr
	if err := cmd.Start(); err != nil {
		return err
	}
	defer func() { _ = cmd.Process.Signal(os.Interrupt); _ = cmd.Wait() }()
	base := "http://" + addr
	if err := waitUp(ctx, base); err != nil {
		return err
	}
	pid := cmd.Process.Pid
	client := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: workers}}
	// Warm up what every request touches (pools, templates), then settle.
	for range 2000 {
		get(client, base+"/healthz")
	}
	idle := settle(pid)
	fmt.Printf("idle RSS after start and 2,000 warm-up requests   %6.1f MB\n", mb(idle))

	t0 := time.Now()
	var offered, refused atomic.Int64
	parallel(formBodies, func(int) {
		body := bytes.Repeat([]byte("a"), formBodySize)
		copy(body, "username=x&password=")
		resp, err := http.Post(base+"/masuk", "application/x-www-form-urlencoded", bytes.NewReader(body))
		offered.Add(formBodySize)
		if err == nil {
			_, _ = io.Copy(io.Discard, resp.Body)
			_ = resp.Body.Close()
			if resp.StatusCode == 403 {
				refused.Add(1)
			}
		}
	})
	var chunkedSent atomic.Int64
	parallel(chunkedBodies, func(int) {
		n, st := hostileChunked(addr)
		offered.Add(chunkedSize)
		chunkedSent.Add(n)
		if st == 415 {
			refused.Add(1)
		}
	})
	afterBodies := settle(pid)
	fmt.Printf("after 1 GB of hostile anonymous bodies            %6.1f MB  (%+.1f MB beside idle; %d MB offered, %d of %d refused, chunked: %.1f MB accepted by the socket of %d MB offered, in %s)\n",
		mb(afterBodies), mb(afterBodies-idle), offered.Load()>>20, refused.Load(), formBodies+chunkedBodies,
		float64(chunkedSent.Load())/(1<<20), int64(chunkedBodies*chunkedSize)>>20, time.Since(t0).Round(time.Second))

	t0 = time.Now()
	var ok atomic.Int64
	parallel(gets, func(int) {
		if get(client, base+"/healthz") {
			ok.Add(1)
		}
	})
	afterGets := settle(pid)
	fmt.Printf("after 600,000 anonymous GET /healthz              %6.1f MB  (%+.1f MB beside idle; %d answered 200 in %s)\n",
		mb(afterGets), mb(afterGets-idle), ok.Load(), time.Since(t0).Round(time.Second))
	if afterBodies-idle > allowedGrowth || afterGets-idle > allowedGrowth {
		return fmt.Errorf("RSS grew more than %d MB beside idle", allowedGrowth>>20)
	}
	return ctx.Err()
}

func mb(n int64) float64 { return float64(n) / (1 << 20) }

func waitUp(ctx context.Context, base string) error {
	for {
		if resp, err := http.Get(base + "/healthz"); err == nil {
			_ = resp.Body.Close()
			return nil
		}
		select {
		case <-ctx.Done():
			return errors.New("the server did not start")
		case <-time.After(100 * time.Millisecond):
		}
	}
}

func get(c *http.Client, url string) bool {
	resp, err := c.Get(url)
	if err != nil {
		return false
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	_ = resp.Body.Close()
	return resp.StatusCode == 200
}

// parallel runs fn n times on the workers.
func parallel(n int, fn func(int)) {
	var next atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := next.Add(1) - 1; i < int64(n); i = next.Add(1) - 1 {
				fn(int(i))
			}
		}()
	}
	wg.Wait()
}

// hostileChunked offers a chunked multipart body of chunkedSize to the login API, stopping
// when the server answers or closes; it returns the bytes written and the status.
func hostileChunked(addr string) (int64, int) {
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		return 0, 0
	}
	defer conn.Close()
	fmt.Fprintf(conn, "POST /api/v1/auth/login HTTP/1.1\r\nHost: %s\r\nContent-Type: multipart/form-data; boundary=x\r\nTransfer-Encoding: chunked\r\n\r\n", addr)
	status := make(chan int, 1)
	go func() {
		resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
		if err != nil {
			status <- 0
			return
		}
		_ = resp.Body.Close()
		status <- resp.StatusCode
	}()
	chunk := append([]byte(fmt.Sprintf("%x\r\n", 64<<10)), append(bytes.Repeat([]byte("A"), 64<<10), '\r', '\n')...)
	var sent int64
	for sent < chunkedSize {
		select {
		case st := <-status:
			return sent, st
		default:
		}
		_ = conn.SetWriteDeadline(time.Now().Add(5 * time.Second))
		if _, err := conn.Write(chunk); err != nil {
			break
		}
		sent += 64 << 10
	}
	select {
	case st := <-status:
		return sent, st
	case <-time.After(10 * time.Second):
		return sent, 0
	}
}

// settle lets the server's garbage collector and scavenger run, then reads its RSS.
func settle(pid int) int64 {
	time.Sleep(3 * time.Second)
	return rss(pid)
}

// rss reads VmRSS of pid from /proc, in bytes.
func rss(pid int) int64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid)) // #nosec G304 -- /proc of the child this started
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "VmRSS:" {
			kb, _ := strconv.ParseInt(f[1], 10, 64)
			return kb << 10
		}
	}
	return 0
}
