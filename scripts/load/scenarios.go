package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/gofiber/fiber/v2"
	vegeta "github.com/tsenart/vegeta/v12/lib"
	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/rapor-rb/raporrb/app/assessment"
)

// suite is one run of the scenarios.
type suite struct {
	dur     time.Duration
	clients int
	profDir string
	vendor  string
}

// row is one line of the final table.
type row struct {
	scenario, figure, anchor string
	ratio                    float64
	budget                   string
	met                      string // "met", "NOT MET" or "" (no budget)
}

// harness holds what the scenarios share: the app, an HTTP client, tokens and sheets.
type harness struct {
	*app
	hc     *http.Client
	year   int
	bupati string
	tokens map[string]string // unit → its camat's token
}

func runSuite(ctx context.Context, s suite) error {
	t0 := time.Now()
	a, err := start(ctx, s.vendor, nil)
	if err != nil {
		return err
	}
	defer a.stop()
	fmt.Printf("server on %s, demo seeded (%d units, %d assessments) in %.1fs\n", a.base, a.seeded.Units, a.seeded.Assessments, time.Since(t0).Seconds())
	h := &harness{app: a, tokens: map[string]string{}, hc: newClient(s.clients)}
	if h.bupati, err = h.login("bupati"); err != nil {
		return err
	}
	drafts, err := h.drafts()
	if err != nil {
		return err
	}
	var rows []row
	add := func(r row) {
		rows = append(rows, r)
		fmt.Printf("  %-34s %s | anchor %s | ×%.2f %s %s\n", r.scenario, r.figure, r.anchor, r.ratio, r.budget, r.met)
	}
	n := s.clients

	// 1. Writers on one sheet, and on n sheets, beside raw ReplaceOne of the same sheets.
	zi := byInstrument(drafts, "zi-2021")
	if len(zi) < 3 || len(drafts) < n+2 {
		return fmt.Errorf("the demo has %d drafts (%d of ZI): too few for the scenarios", len(drafts), len(zi))
	}
	one, aged, fresh := zi[0], zi[1], zi[2]
	var many []assessment.Assessment
	for _, d := range drafts {
		if d.ID != aged.ID && d.ID != fresh.ID && len(many) < n {
			many = append(many, d)
		}
	}
	oneSlots, err := h.slots([]assessment.Assessment{one}, 2*n)
	if err != nil {
		return err
	}
	fmt.Printf("writers: %d on one sheet (%s, %d indicators in turn), %d on %d sheets (of %d open drafts); %s each\n", n, one.ID, len(oneSlots), n, len(many), len(drafts), s.dur)
	var w1, wn saveRun
	var r1, rn vegeta.Metrics
	if err := profile(s.profDir, "writers-one-sheet", func() error { w1 = h.saves(oneSlots, n, s.dur, 0); return w1.err() }); err != nil {
		return err
	}
	if r1, err = h.rawReplace([]string{one.ID}, n, s.dur); err != nil {
		return err
	}
	add(row{"20 writers, one sheet", w1.String(), "raw ReplaceOne " + latText(&r1), ratio(w1.ok.Latencies.P50, r1.Latencies.P50), "≤ 1.5×", budget(ratio(w1.ok.Latencies.P50, r1.Latencies.P50) <= 1.5)})
	// Read after the one-sheet run, which may have written to one of these sheets.
	manySlots, err := h.slots(many, 2*n)
	if err != nil {
		return err
	}
	if err := profile(s.profDir, "writers-many-sheets", func() error { wn = h.saves(manySlots, n, s.dur, 0); return wn.err() }); err != nil {
		return err
	}
	ids := make([]string, len(many))
	for i, m := range many {
		ids[i] = m.ID
	}
	if rn, err = h.rawReplace(ids, n, s.dur); err != nil {
		return err
	}
	add(row{fmt.Sprintf("20 writers, %d sheets", len(many)), wn.String(), "raw ReplaceOne " + latText(&rn), ratio(wn.ok.Latencies.P50, rn.Latencies.P50), "≤ 1.5×", budget(ratio(wn.ok.Latencies.P50, rn.Latencies.P50) <= 1.5)})

	// 2. Writers and ranking readers at once.
	var mixed saveRun
	var readers vegeta.Metrics
	rankings := fmt.Sprintf("%s/api/v1/rankings?period=%d&instrument=zi-2021", h.base, h.year)
	if err := profile(s.profDir, "writers-and-readers", func() error {
		var wg sync.WaitGroup
		wg.Add(1)
		go func() { defer wg.Done(); readers = h.gets(rankings, h.bupati, n, s.dur) }()
		mixed = h.saves(manySlots, n, s.dur, 0)
		wg.Wait()
		return mixed.err()
	}); err != nil {
		return err
	}
	rm := ratio(mixed.ok.Latencies.P50, wn.ok.Latencies.P50)
	add(row{"20 writers + 20 readers: writes", mixed.String(), "writers alone p50 " + ms(wn.ok.Latencies.P50), rm, "≤ 2×", budget(rm <= 2)})
	add(row{"20 writers + 20 readers: reads", fmt.Sprintf("%.0f reads/s, p50 %s, p99 %s", readers.Throughput, ms(readers.Latencies.P50), ms(readers.Latencies.P99)), "—", 0, "", ""})
	if readers.Success < 1 {
		return fmt.Errorf("ranking reads failed: %v", readers.Errors)
	}

	// 3. Dashboard readers beside Fiber serving the same bytes.
	dash, err := h.dashboard(n, s)
	if err != nil {
		return err
	}
	add(dash)

	// 4. Logins: idle, then during n writers.
	loginURL := h.base + "/api/v1/auth/login"
	idle := h.posts(loginURL, `{"username":"bupati","password":"`+password+`"}`, 1, s.dur/3)
	var busy vegeta.Metrics
	if err := profile(s.profDir, "logins-during-writers", func() error {
		var wg sync.WaitGroup
		wg.Add(1)
		go func() {
			defer wg.Done()
			time.Sleep(time.Second) // the writers first
			busy = h.posts(loginURL, `{"username":"bupati","password":"`+password+`"}`, 1, s.dur-2*time.Second)
		}()
		run := h.saves(manySlots, n, s.dur, 0)
		wg.Wait()
		return run.err()
	}); err != nil {
		return err
	}
	if idle.Success < 1 || busy.Success < 1 {
		return fmt.Errorf("logins failed: idle %v, busy %v", idle.Errors, busy.Errors)
	}
	rl := ratio(busy.Latencies.P50, idle.Latencies.P50)
	add(row{"login during 20 writers", fmt.Sprintf("p50 %s, p99 %s (%d)", ms(busy.Latencies.P50), ms(busy.Latencies.P99), busy.Requests),
		fmt.Sprintf("idle login p50 %s (%d)", ms(idle.Latencies.P50), idle.Requests), rl, "≤ 5×", budget(rl <= 5)})

	// 5. A sheet with 1,000 history versions against a fresh one: one writer each.
	agedSlots, err := h.slots([]assessment.Assessment{aged}, 5)
	if err != nil {
		return err
	}
	freshSlots, err := h.slots([]assessment.Assessment{fresh}, 5)
	if err != nil {
		return err
	}
	t1 := time.Now()
	if prep := h.saves(agedSlots, 5, 0, 1000); prep.err() != nil || prep.ok.Requests < 1000 {
		return fmt.Errorf("1,000 versions on %s: %d saved: %v", aged.ID, prep.ok.Requests, prep.err())
	}
	fmt.Printf("history: 1,000 versions saved on %s (5 indicators) in %.1fs\n", aged.ID, time.Since(t1).Seconds())
	var hf, ha saveRun
	hf = h.saves(freshSlots, 1, s.dur/2, 0)
	if err := profile(s.profDir, "history-1000", func() error { ha = h.saves(agedSlots, 1, s.dur/2, 0); return ha.err() }); err != nil {
		return err
	}
	if err := hf.err(); err != nil {
		return err
	}
	rh := ratio(ha.ok.Latencies.P50, hf.ok.Latencies.P50)
	add(row{"save, sheet with 1,000 versions", ha.String(), "fresh sheet " + hf.String(), rh, "≤ 1.2×", budget(rh <= 1.2)})

	fmt.Printf("\nLoad suite: %d concurrent clients, %s a scenario, embedded engine, %s (total %.0fs)\n\n", n, s.dur, runtimeNote(), time.Since(t0).Seconds())
	tw := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "scenario\tfigure\tanchor\tratio\tbudget\t")
	for _, r := range rows {
		rt := "—"
		if r.ratio > 0 {
			rt = fmt.Sprintf("%.2f", r.ratio)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", r.scenario, r.figure, r.anchor, rt, r.budget, r.met)
	}
	return tw.Flush()
}

// dashboard measures /dasbor after the first view beside a bare Fiber app serving its bytes.
func (h *harness) dashboard(n int, s suite) (row, error) {
	url := h.base + "/dasbor"
	page, err := h.fetch(url, h.bupati)
	if err != nil {
		return row{}, err
	}
	static := fiber.New(fiber.Config{DisableStartupMessage: true})
	static.Get("/dasbor", func(c *fiber.Ctx) error {
		c.Set(fiber.HeaderContentType, fiber.MIMETextHTMLCharsetUTF8)
		return c.Send(page)
	})
	base, stop, err := listen(static)
	if err != nil {
		return row{}, err
	}
	defer stop()
	// The two alternate in rounds, so that a neighbour's load on the machine weighs on both.
	var app, floor rounds
	err = profile(s.profDir, "dashboard", func() error {
		for range 3 {
			app.run(h, url, n, s.dur/6)
			floor.run(h, base+"/dasbor", n, s.dur/6)
		}
		return nil
	})
	if err != nil {
		return row{}, err
	}
	if app.failed > 0 || floor.failed > 0 {
		return row{}, fmt.Errorf("dashboard reads failed: %d, static %d", app.failed, floor.failed)
	}
	r := app.throughput() / floor.throughput()
	app.m.Close()
	return row{"dashboard readers (/dasbor)", fmt.Sprintf("%.0f pages/s, p50 %s, p99 %s (%d KB)", app.throughput(), ms(app.m.Latencies.P50), ms(app.m.Latencies.P99), len(page)/1024),
		fmt.Sprintf("static bytes %.0f pages/s", floor.throughput()), r, "≥ 0.25", budget(r >= 0.25)}, nil
}

// rounds adds up GET attacks run one after another: their latencies, and their throughput
// over the time they ran.
type rounds struct {
	m       vegeta.Metrics
	ok      int
	failed  int
	elapsed time.Duration
}

func (r *rounds) run(h *harness, url string, workers int, dur time.Duration) {
	t0 := time.Now()
	for res := range h.attacker(workers).Attack(func(t *vegeta.Target) error {
		t.Method, t.URL = http.MethodGet, url
		t.Header = http.Header{"Authorization": {"Bearer " + h.bupati}, "Accept": {"text/html"}}
		return nil
	}, vegeta.Rate{Freq: 0}, dur, "") {
		if res.Code == http.StatusOK {
			r.ok++
			r.m.Add(res)
		} else {
			r.failed++
		}
	}
	r.elapsed += time.Since(t0)
}

func (r *rounds) throughput() float64 { return float64(r.ok) / r.elapsed.Seconds() }

// saveRun is the outcome of a save attack: the successful saves' metrics, and the rest counted.
type saveRun struct {
	ok        vegeta.Metrics
	conflicts int // 409: someone else saved the indicator since (never expected here)
	failed    int
	lastErr   string
}

func (r saveRun) String() string {
	return fmt.Sprintf("%.1f saves/s, p50 %s, p99 %s (%d saves, %d × 409)", r.ok.Throughput, ms(r.ok.Latencies.P50), ms(r.ok.Latencies.P99), r.ok.Requests, r.conflicts)
}

func (r saveRun) err() error {
	if r.failed > 0 {
		return fmt.Errorf("%d saves failed, last: %s", r.failed, r.lastErr)
	}
	if r.ok.Requests == 0 {
		return fmt.Errorf("no save succeeded")
	}
	return nil
}

// slot is one indicator of one sheet that a save is written to: each save in flight has a slot
// of its own, and the next save of an indicator carries the rev the last one returned.
type slot struct {
	url, token string
	rev        int64
	values     [2]any // the answer alternates between two valid values
	turn       int
}

// saves runs an attack of workers saving answers, one slot per save in flight, for dur (or,
// with stopAfter, until that many successful saves or the first failure).
func (h *harness) saves(slots []*slot, workers int, dur time.Duration, stopAfter int) saveRun {
	pool := make(chan *slot, len(slots))
	byURL := make(map[string]*slot, len(slots))
	for _, s := range slots {
		pool <- s
		byURL[s.url] = s
	}
	tr := func(t *vegeta.Target) error {
		s := <-pool // never waits: there are at least as many slots as workers
		body, _ := json.Marshal(map[string]any{"answer": s.values[s.turn%2], "rev": s.rev})
		t.Method, t.URL, t.Body = http.MethodPut, s.url, body
		t.Header = http.Header{"Authorization": {"Bearer " + s.token}, "Content-Type": {"application/json"}}
		return nil
	}
	atk := h.attacker(workers)
	var run saveRun
	for res := range atk.Attack(tr, vegeta.Rate{Freq: 0}, dur, "saves") {
		s := byURL[res.URL]
		switch res.Code {
		case http.StatusOK:
			s.rev = revIn(res.Body, "answer", s.rev)
			run.ok.Add(res)
			s.turn++
		case http.StatusConflict:
			s.rev = revIn(res.Body, "current", s.rev)
			run.conflicts++
		default:
			run.failed++
			run.lastErr = fmt.Sprintf("%d %s %.200s", res.Code, res.Error, res.Body)
		}
		pool <- s
		if stopAfter > 0 && (run.ok.Requests >= uint64(stopAfter) || run.failed > 0) { // #nosec G115 -- stopAfter > 0
			atk.Stop()
		}
	}
	run.ok.Close()
	return run
}

// revIn reads body[key].rev.
func revIn(body []byte, key string, def int64) int64 {
	var m map[string]struct {
		Rev *int64 `json:"rev"`
	}
	if json.Unmarshal(body, &m) != nil || m[key].Rev == nil {
		return def
	}
	return *m[key].Rev
}

// gets attacks one URL with GETs.
func (h *harness) gets(url, token string, workers int, dur time.Duration) vegeta.Metrics {
	return h.attack(workers, dur, func(t *vegeta.Target) error {
		t.Method, t.URL = http.MethodGet, url
		t.Header = http.Header{"Authorization": {"Bearer " + token}, "Accept": {"text/html,application/json"}}
		return nil
	})
}

// posts attacks one URL with the same JSON body.
func (h *harness) posts(url, body string, workers int, dur time.Duration) vegeta.Metrics {
	return h.attack(workers, dur, func(t *vegeta.Target) error {
		t.Method, t.URL, t.Body = http.MethodPost, url, []byte(body)
		t.Header = http.Header{"Content-Type": {"application/json"}}
		return nil
	})
}

func (h *harness) attack(workers int, dur time.Duration, tr vegeta.Targeter) vegeta.Metrics {
	var m vegeta.Metrics
	for res := range h.attacker(workers).Attack(tr, vegeta.Rate{Freq: 0}, dur, "") {
		m.Add(res)
	}
	m.Close()
	return m
}

// attacker is vegeta with exactly workers clients, as fast as they go, on keep-alive
// connections, asking for no compression (the bytes the server renders).
func (h *harness) attacker(workers int) *vegeta.Attacker {
	n := uint64(max(workers, 1)) // #nosec G115 -- at least 1
	return vegeta.NewAttacker(vegeta.Workers(n), vegeta.MaxWorkers(n), vegeta.Client(h.hc), vegeta.MaxBody(-1))
}

// rawReplace is the anchor of the saves: workers concurrent ReplaceOne of the sheets ids (each
// as stored), through the driver on the same engine and its write lock, for dur.
func (h *harness) rawReplace(ids []string, workers int, dur time.Duration) (vegeta.Metrics, error) {
	ctx := context.Background()
	raws := make([]bson.Raw, len(ids))
	for i, id := range ids {
		if err := h.db.Collection("sheets").FindOne(ctx, bson.D{{Key: "_id", Value: id}}).Decode(&raws[i]); err != nil {
			return vegeta.Metrics{}, err
		}
	}
	var mu sync.Mutex
	var m vegeta.Metrics
	var firstErr error
	end := time.Now().Add(dur)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; time.Now().Before(end); i += workers {
				k := i % len(ids)
				t0 := time.Now()
				err := h.db.Write(ctx, func(ctx context.Context) error {
					_, err := h.db.Collection("sheets").ReplaceOne(ctx, bson.D{{Key: "_id", Value: ids[k]}}, raws[k])
					return err
				})
				mu.Lock()
				if err != nil && firstErr == nil {
					firstErr = err
				}
				m.Add(&vegeta.Result{Code: 200, Timestamp: t0, Latency: time.Since(t0)})
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	m.Close()
	return m, firstErr
}

// listen serves app on a loopback port.
func listen(app *fiber.App) (string, func(), error) {
	ln, err := netListen()
	if err != nil {
		return "", nil, err
	}
	go func() { _ = app.Listener(ln) }()
	return "http://" + ln.Addr().String(), func() { _ = app.ShutdownWithTimeout(5 * time.Second) }, nil
}

func ratio(a, b time.Duration) float64 {
	if b <= 0 {
		return 0
	}
	return float64(a) / float64(b)
}

func budget(ok bool) string {
	if ok {
		return "met"
	}
	return "NOT MET"
}

func ms(d time.Duration) string {
	if d < 10*time.Millisecond {
		return fmt.Sprintf("%.2f ms", float64(d.Microseconds())/1000)
	}
	return fmt.Sprintf("%.0f ms", float64(d.Microseconds())/1000)
}

func latText(m *vegeta.Metrics) string {
	return fmt.Sprintf("p50 %s, p99 %s (%.0f/s)", ms(m.Latencies.P50), ms(m.Latencies.P99), m.Throughput)
}

// newClient keeps a keep-alive connection per client and asks for no compression: the
// figures are the server's work on the bytes it renders.
func newClient(clients int) *http.Client {
	return &http.Client{Timeout: 2 * time.Minute, Transport: &http.Transport{MaxIdleConnsPerHost: 4 * clients, DisableCompression: true}}
}
