package survey_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rapor-rb/raporrb/app/account"
	"github.com/rapor-rb/raporrb/app/assessment"
	"github.com/rapor-rb/raporrb/app/audit"
	"github.com/rapor-rb/raporrb/app/db"
	"github.com/rapor-rb/raporrb/app/dbtest"
	"github.com/rapor-rb/raporrb/app/instrument"
	"github.com/rapor-rb/raporrb/app/period"
	"github.com/rapor-rb/raporrb/app/ranking"
	"github.com/rapor-rb/raporrb/app/survey"
	"github.com/rapor-rb/raporrb/app/unit"
	"github.com/rapor-rb/raporrb/seed/demo"
	"github.com/rapor-rb/raporrb/seed/instruments"
)

// sealer signs tickets as web.Server does (HMAC-SHA256), for benchmarks without a server.
type sealer struct{ key []byte }

func (s sealer) mac(p string) string {
	m := hmac.New(sha256.New, s.key)
	m.Write([]byte(p))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

func (s sealer) Seal(purpose string, payload []byte) string {
	p := base64.RawURLEncoding.EncodeToString(payload)
	return p + "." + s.mac(purpose+p)
}

func (s sealer) Unseal(purpose, token string) ([]byte, bool) {
	p, sig, ok := strings.Cut(token, ".")
	if !ok || !hmac.Equal([]byte(sig), []byte(s.mac(purpose+p))) {
		return nil, false
	}
	b, err := base64.RawURLEncoding.DecodeString(p)
	return b, err == nil
}

// benchWorld is the demo kabupaten on the embedded engine with the services the server runs:
// the assessment write path with its ranking board and audit log, and the survey service.
type benchWorld struct {
	d      *db.DB
	sv     *assessment.Service
	survey *survey.Service
	clock  *atomic.Int64 // unix nanoseconds
}

// newBenchWorld also sets up Sukamaju's IKM survey (population 2,500).
func newBenchWorld(b *testing.B, base *db.DB) (*benchWorld, *survey.Survey) {
	b.Helper()
	ctx := context.Background()
	cat, err := instrument.LoadFS(instruments.FS)
	if err != nil {
		b.Fatal(err)
	}
	d := dbtest.Fresh(b, base)
	if err := d.Prepare(ctx, append([]string{"users", "units", "periods", "assignments", "assessments", "sheets", "history", "boards", "audit"}, survey.Collections...)...); err != nil {
		b.Fatal(err)
	}
	w := &benchWorld{d: d, clock: &atomic.Int64{}}
	w.clock.Store(time.Date(2026, 11, 23, 3, 0, 0, 0, time.UTC).UnixNano())
	now := func() time.Time { return time.Unix(0, w.clock.Load()) }
	units, st, ps := unit.NewStore(d), assessment.NewStore(d), period.NewStore(d)
	if _, err := demo.Run(ctx, cat, demo.Stores{Units: units, Users: account.NewStore(d), Assignments: account.NewAssignments(d),
		Periods: ps, Assessments: st}, demo.Options{Now: now(), Password: "bench"}); err != nil {
		b.Fatal(err)
	}
	board := ranking.NewBoard(d, cat, units, st, 0)
	if err := board.EnsureBuilt(ctx, []int{2026}, []string{"zi-2021", "ikm-2017"}); err != nil {
		b.Fatal(err)
	}
	st.SetBoard(board)
	access := assessment.Access{Assignments: account.NewAssignments(d)}
	log := audit.New(d, units.Zone)
	w.sv = &assessment.Service{Store: st, Periods: ps, Catalog: cat, Access: access, Audit: log, Now: now, Zone: units.Zone}
	w.survey = &survey.Service{Store: survey.NewStore(d), Assessments: w.sv, Periods: ps, Units: units, Catalog: cat, Access: access,
		Audit: log, Seal: sealer{key: []byte("bench-key-bench-key-bench-key-32")}, Now: now, SyncDelay: survey.DefaultSyncDelay}
	b.Cleanup(w.survey.Stop)
	s, err := w.survey.Create(ctx, &account.User{Username: "admin", Role: account.Admin},
		survey.CreateInput{Period: 2026, Unit: "sukamaju", Kind: survey.IKM, Service: "KTP", Population: 2500})
	if err != nil {
		b.Fatal(err)
	}
	return w, s
}

// answers is a questionnaire that varies with i (never a straight line).
func answers(i int) survey.Input {
	in := survey.Input{Answers: map[string]*int{}, Profile: survey.Profile{Age: 20 + i%50, Gender: "P", Education: "sma", Job: "swasta"},
		Saran: "Pelayanan cepat, ruang tunggu perlu kipas."}
	for q := 1; q <= 9; q++ {
		v := 1 + (i+q)%4
		in.Answers["U"+string(rune('0'+q))] = &v
	}
	return in
}

// BenchmarkSurveySubmit: one citizen's questionnaire stored through the survey service
// (ticket checked and recorded, counter, push into its bucket, sync scheduled), beside the raw
// engine inserting the same response document. Reports submissions per second.
func BenchmarkSurveySubmit(b *testing.B) {
	base, stop := dbtest.MustStart()
	defer stop()
	ctx := context.Background()
	w, s := newBenchWorld(b, base)
	b.Run("service", func(b *testing.B) {
		i := 0
		t0 := time.Now()
		for b.Loop() {
			ticket := w.survey.Ticket(s)
			w.clock.Add(int64(90 * time.Second))
			if _, _, err := w.survey.Submit(ctx, s, answers(i), survey.Meta{Device: "bench", Ticket: ticket}); err != nil {
				b.Fatal(err)
			}
			i++
		}
		b.ReportMetric(float64(b.N)/time.Since(t0).Seconds(), "submissions/s")
	})
	b.Run("raw-insert", func(b *testing.B) {
		coll := w.d.Collection("raw_responses")
		r := survey.Response{At: time.Now(), Answers: []int{3, 4, 2, 3, 4, 1, 2, 3, 4}, Profile: survey.Profile{Age: 34, Gender: "P", Education: "sma", Job: "swasta"},
			Saran: "Pelayanan cepat, ruang tunggu perlu kipas.", Device: "bench", Ticket: "0123456789abcdef01234567", Seconds: 90}
		t0 := time.Now()
		for b.Loop() {
			r.Seq++
			if _, err := coll.InsertOne(ctx, r); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(b.N)/time.Since(t0).Seconds(), "inserts/s")
	})
}

// BenchmarkAnswerSaveUnderSurveyLoad: a camat's answer saves on a ZI sheet, one after another,
// idle and then while citizens send 20 questionnaires a second to the kecamatan's IKM survey
// (its result brought to the IKM sheet every DefaultSyncDelay, as served). Reports the p50 and
// mean save latency of both and their ratio (the budget: at most 1.3×).
func BenchmarkAnswerSaveUnderSurveyLoad(b *testing.B) {
	base, stop := dbtest.MustStart()
	defer stop()
	ctx := context.Background()
	w, s := newBenchWorld(b, base)
	camat := &account.User{Username: "camat.sukamaju", Role: account.Camat, Unit: "sukamaju"}
	id := assessment.ID(2026, "zi-2021", "sukamaju")
	zi, _ := w.sv.Catalog.Get("zi-2021")
	var codes []string
	for _, ind := range zi.Indicators() {
		if sc := zi.ScaleOf(ind.Code); sc.Kind == instrument.KindChoice && !sc.FromSurvey() {
			codes = append(codes, ind.Code)
		}
	}
	k := 0
	save := func() time.Duration {
		code := codes[k%len(codes)]
		sc := zi.ScaleOf(code)
		sh, err := w.sv.Store.Sheet(ctx, id)
		if err != nil {
			b.Fatal(err)
		}
		in := assessment.AnswerInput{Indicator: code}
		in.Answer.Option = sc.Options[k%len(sc.Options)].Key
		if a := sh.Answer(code); a != nil {
			in.Rev = a.Rev
			if a.Self != nil && a.Self.Option == in.Answer.Option {
				in.Answer.Option = sc.Options[(k+1)%len(sc.Options)].Key
			}
		}
		k++
		t0 := time.Now()
		if _, _, err := w.sv.SaveAnswer(ctx, camat, id, in); err != nil {
			b.Fatal(err)
		}
		return time.Since(t0)
	}
	// load sends 20 questionnaires a second until stopped; returns how many it sent.
	load := func() func() int {
		done := make(chan struct{})
		var wg sync.WaitGroup
		var sent atomic.Int64
		wg.Add(1)
		go func() {
			defer wg.Done()
			tick := time.NewTicker(50 * time.Millisecond)
			defer tick.Stop()
			for i := 0; ; i++ {
				select {
				case <-done:
					return
				case <-tick.C:
				}
				ticket := w.survey.Ticket(s)
				w.clock.Add(int64(time.Second))
				if _, _, err := w.survey.Submit(ctx, s, answers(i), survey.Meta{Kiosk: true, Ticket: ticket}); err != nil {
					b.Error(err)
					return
				}
				sent.Add(1)
			}
		}()
		return func() int { close(done); wg.Wait(); return int(sent.Load()) }
	}
	// Idle and loaded saves alternate in rounds, so that a drift of the shared machine weighs on
	// both alike.
	const rounds, perPhase = 3, 40
	var idle, loaded []time.Duration
	var sent int
	var elapsed time.Duration
	for b.Loop() {
		for range rounds {
			for range perPhase {
				idle = append(idle, save())
			}
			stopLoad := load()
			t0 := time.Now()
			for range perPhase {
				loaded = append(loaded, save())
			}
			elapsed += time.Since(t0)
			sent += stopLoad()
		}
	}
	p50 := func(d []time.Duration) float64 {
		s := slices.Clone(d)
		slices.Sort(s)
		return float64(s[len(s)/2].Microseconds()) / 1000
	}
	mean := func(d []time.Duration) float64 {
		var t time.Duration
		for _, x := range d {
			t += x
		}
		return float64(t.Microseconds()) / 1000 / float64(len(d))
	}
	b.ReportMetric(p50(idle), "idle-p50-ms")
	b.ReportMetric(p50(loaded), "loaded-p50-ms")
	b.ReportMetric(p50(loaded)/p50(idle), "slowdown-p50")
	b.ReportMetric(mean(loaded)/mean(idle), "slowdown-mean")
	b.ReportMetric(float64(sent)/elapsed.Seconds(), "submissions/s")
}
