package server

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"net/http"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/rapor-rb/raporrb/app/web"
)

// BenchmarkDashboard measures, over real HTTP on loopback and in one run, the requests per
// second of the bupati's dashboard (ranking boards cached after the first request), of the
// same bytes served as a static page by a bare Fiber app (the floor: HTTP, Fiber and the
// client, no application work), and of an uncached drill-down page.
//
// Every request carries the bupati's bearer token (the web layer takes it on HTML pages
// too). The client does not ask for gzip, so the dashboard and the static page put the same
// bytes on the wire and the difference between them is the app's own work (middleware,
// session lookup, rendering), not compression.
func BenchmarkDashboard(b *testing.B) {
	srv := newServer(b, web.Config{})
	appURL := benchServe(b, srv.App)
	token := login(b, srv, "bupati").token
	hc := benchClient()

	// The first request fills the board cache; its body is also the static page's.
	dash := benchPage{url: appURL + "/dasbor", token: token, marker: []byte(`id="tabel-zi-2021"`)}
	page := dash.fetch(b, hc)

	static := fiber.New(fiber.Config{DisableStartupMessage: true})
	static.Get("/dasbor", func(c *fiber.Ctx) error {
		c.Set(fiber.HeaderContentType, fiber.MIMETextHTMLCharsetUTF8)
		return c.Send(page)
	})
	staticPage := dash
	staticPage.url = benchServe(b, static) + "/dasbor"

	// Cleanups run last-first: the client drops its idle connections before the servers stop.
	b.Cleanup(hc.CloseIdleConnections)

	drill := benchPage{url: appURL + "/dasbor/2026/zi-2021/sukamaju", token: token, marker: []byte(`id="tabel-area-unit"`)}

	for _, bm := range []struct {
		name string
		t    benchPage
	}{
		{"dashboard", dash},
		{"static-page", staticPage},
		{"dashboard-drilldown", drill},
	} {
		b.Run(bm.name, func(b *testing.B) { bm.t.run(b, hc) })
	}
}

// benchPage is one page under measurement and what each of its responses must contain.
type benchPage struct {
	url, token string
	marker     []byte
}

// get requests the page into buf and checks it.
func (tg benchPage) get(hc *http.Client, buf *bytes.Buffer) error {
	req, err := http.NewRequest(http.MethodGet, tg.url, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Accept", "text/html")
	req.Header.Set("Authorization", "Bearer "+tg.token)
	resp, err := hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	buf.Reset()
	if _, err := buf.ReadFrom(resp.Body); err != nil {
		return fmt.Errorf("GET %s: reading body: %w", tg.url, err)
	}
	if resp.StatusCode != http.StatusOK || !bytes.Contains(buf.Bytes(), tg.marker) {
		return fmt.Errorf("GET %s = %d, body has %s: %v; body: %.300s", tg.url, resp.StatusCode, tg.marker, bytes.Contains(buf.Bytes(), tg.marker), buf.Bytes())
	}
	return nil
}

// fetch requests the page once, outside any measurement, and returns its body.
func (tg benchPage) fetch(b *testing.B, hc *http.Client) []byte {
	b.Helper()
	var buf bytes.Buffer
	if err := tg.get(hc, &buf); err != nil {
		b.Fatal(err)
	}
	return bytes.Clone(buf.Bytes())
}

// run measures the page with 4×GOMAXPROCS concurrent clients and reports req/s and KB/page.
func (tg benchPage) run(b *testing.B, hc *http.Client) {
	size := len(tg.fetch(b, hc)) // warm: cache, connection, and the page's size
	var failed atomic.Bool
	b.SetParallelism(4)
	b.ResetTimer()
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		var buf bytes.Buffer
		for pb.Next() {
			if failed.Load() {
				continue // drain the iterations quickly once a response was wrong
			}
			if err := tg.get(hc, &buf); err != nil {
				if failed.CompareAndSwap(false, true) {
					b.Error(err)
				}
			}
		}
	})
	elapsed := time.Since(start)
	b.StopTimer()
	if failed.Load() {
		b.FailNow()
	}
	if e := b.Elapsed(); e > 0 {
		elapsed = e
	}
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "req/s")
	b.ReportMetric(float64(size)/1024, "KB/page")
}

// benchServe runs app on a fresh loopback listener until the benchmark ends; it returns the base URL.
func benchServe(b *testing.B, app *fiber.App) string {
	b.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- app.Listener(ln) }()
	b.Cleanup(func() {
		if err := app.ShutdownWithTimeout(5 * time.Second); err != nil {
			b.Errorf("shutdown: %v", err)
		}
		if err := <-done; err != nil && !errors.Is(err, net.ErrClosed) {
			b.Errorf("serve: %v", err)
		}
	})
	return "http://" + ln.Addr().String()
}

// benchClient keeps one idle connection per parallel client alive, so the measurement is
// requests over keep-alive connections, not connection set-up.
func benchClient() *http.Client {
	conns := max(16, 4*runtime.GOMAXPROCS(0))
	tr := &http.Transport{
		MaxIdleConns:        2 * conns,
		MaxIdleConnsPerHost: conns,
		IdleConnTimeout:     time.Minute,
		DisableCompression:  true,
	}
	return &http.Client{Transport: tr, Timeout: 30 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}
}
