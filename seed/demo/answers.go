package demo

import (
	"fmt"
	"hash/fnv"
	"math"
	"math/rand/v2"
	"slices"

	"github.com/rapor-rb/raporrb/app/instrument"
	"github.com/rapor-rb/raporrb/app/num"
	"github.com/rapor-rb/raporrb/app/scoring"
)

// seed fixes the demo data: change it and every generated answer changes.
const seed = 0x5241504f52524201 // "RAPORRB" + 1

// rngFor returns a generator for one named part of the data (a sheet, a NIP, ...). Each part
// has its own stream, derived from the fixed seed and its name, so adding an instrument or a
// kecamatan does not shift the answers of all the others, and the order in which parts are
// generated does not matter.
func rngFor(parts ...any) *rand.Rand {
	h := fnv.New64a()
	for _, p := range parts {
		fmt.Fprint(h, p)
		_, _ = h.Write([]byte{0}) // hash.Hash.Write never fails
	}
	// #nosec G404 -- deterministic demo data, not a secret: the same seed gives the same kabupaten.
	return rand.New(rand.NewPCG(seed, h.Sum64()))
}

func clamp(x, lo, hi float64) float64 { return math.Max(lo, math.Min(hi, x)) }

func round2(x float64) float64 { return num.Round2(x) }

func numPtr(x float64) *float64 { return &x }

// maturity is the kecamatan's latent maturity in the k-th seeded year (0 = oldest).
func maturity(kec kecamatan, k int) float64 { return kec.base + kec.growth*float64(k) }

// isSurvey tells survey results (ZI's IPAK/IPKP 0–4, IKM's NRR 1–4, PEKPPP's F-03 0–5) from
// scores such as PEKPPP's F-02 indicators: survey results cluster in a narrow band near the top
// of their range.
func isSurvey(s instrument.Scale) bool {
	return s.Kind == instrument.KindNumber && s.Max != nil && s.FromSurvey()
}

// answerAt turns a quality t in [0,1] into an answer that fits the scale.
func answerAt(s instrument.Scale, t float64) scoring.Answer {
	switch s.Kind {
	case instrument.KindChoice:
		best, dist := "", math.Inf(1)
		for _, o := range s.Options {
			// <= prefers the later option on a tie; options run best first in the catalog,
			// so a tie goes to the lower one, the cautious reading of a middle score.
			if d := math.Abs(o.Value - t); d <= dist {
				best, dist = o.Key, d
			}
		}
		return scoring.Answer{Option: best}
	case instrument.KindPercent:
		// Reported percentages (pegawai reporting LHKPN, pengaduan handled, ...) are
		// rarely low, so the band starts at 20%.
		return scoring.Answer{Number: numPtr(math.Round(100 * (0.2 + 0.8*t)))}
	case instrument.KindNumber:
		lo, hi := *s.Min, *s.Max
		if isSurvey(s) {
			// Survey indices of kecamatan services land between 70% and 95% of the scale
			// (2.8–3.8 on 0–4, 3.5–4.75 on 0–5).
			return scoring.Answer{Number: numPtr(clamp(round2(hi*(0.7+0.25*t)), lo, hi))}
		}
		x := lo + (0.25+0.75*t)*(hi-lo)
		return scoring.Answer{Number: numPtr(clamp(math.Round(x*2)/2, lo, hi))}
	}
	return scoring.Answer{}
}

// valueOf is an answer's value in [0,1]; an unfit or absent answer counts 0.
func valueOf(inst *instrument.Instrument, code string, a scoring.Answer) float64 {
	v, err := scoring.Value(inst.ScaleOf(code), a)
	if err != nil {
		return 0
	}
	return v
}

// raise returns the answer one step better on its scale, and false when it is already the
// best. Options are compared by value, not by their position in the sheet.
func raise(s instrument.Scale, a scoring.Answer, r *rand.Rand) (scoring.Answer, bool) {
	switch s.Kind {
	case instrument.KindChoice:
		cur, _ := s.Option(a.Option)
		next, found := instrument.Option{}, false
		for _, o := range s.Options {
			if o.Value > cur.Value && (!found || o.Value < next.Value) {
				next, found = o, true
			}
		}
		if !found {
			return a, false
		}
		return scoring.Answer{Option: next.Key}, true
	case instrument.KindPercent:
		if *a.Number >= 100 {
			return a, false
		}
		return scoring.Answer{Number: numPtr(math.Min(100, *a.Number+float64(5+5*r.IntN(4))))}, true
	case instrument.KindNumber:
		if *a.Number >= *s.Max {
			return a, false
		}
		step := 0.5
		if isSurvey(s) {
			step = 0.05 * float64(1+r.IntN(3))
		}
		return scoring.Answer{Number: numPtr(math.Min(*s.Max, round2(*a.Number+step)))}, true
	}
	return a, false
}

// latent generates the answers the evaluator will accept for one kecamatan, instrument and
// year: its maturity, plus a per-area strength, a per-indicator strength that persists across
// years (what was in place last year mostly still is), and a little yearly noise.
func latent(inst *instrument.Instrument, kec kecamatan, k int) scoring.Answers {
	persist := rngFor("persist", inst.ID, kec.code)
	yearly := rngFor("year", inst.ID, kec.code, k)
	m := maturity(kec, k) + persist.NormFloat64()*0.04
	area := map[string]float64{}
	out := scoring.Answers{}
	for _, ind := range inst.Indicators() {
		leaf := inst.LeafOf(ind.Code).Code
		if _, ok := area[leaf]; !ok {
			area[leaf] = persist.NormFloat64() * 0.07
		}
		t := m + area[leaf] + persist.NormFloat64()*0.15 + yearly.NormFloat64()*0.07
		out[ind.Code] = answerAt(inst.ScaleOf(ind.Code), clamp(t, 0, 1))
	}
	return out
}

// The ZI indicators whose answers decide WBK versus WBBM most directly: IPAK (the external
// anti-corruption survey) must reach 3.6 for either, and capaian kinerja C (value 0.5) is
// enough for WBK but not for WBBM (0.75).
const (
	ziInstrument = "zi-2021"
	ziIPAK       = "H.BA.IPAK.a"
	ziKinerja    = "H.BA.KIN.a"
	ipakBelowWBK = 3.5
	kinerjaWBK   = 0.5
)

// enforceZI adjusts the accepted ZI answers until the final result reaches exactly the
// target level: below target it raises the weakest answer inside a failing node one step at
// a time (the smallest change that moves the score, as an improving kecamatan would); above
// target it lowers IPAK (no WBK) or capaian kinerja (WBK without WBBM). It does nothing when
// the instrument lacks the two indicators, so an edited catalog still seeds.
func enforceZI(inst *instrument.Instrument, ans scoring.Answers, target level, prev scoring.Previous, r *rand.Rand) error {
	if _, ok := inst.Indicator(ziIPAK); !ok {
		return nil
	}
	kinScale := inst.ScaleOf(ziKinerja)
	kinC := ""
	for _, o := range kinScale.Options {
		if o.Value == kinerjaWBK {
			kinC = o.Key
		}
	}
	if kinC == "" {
		return nil
	}
	inds := inst.Indicators()
	for range 2000 {
		res, err := scoring.Score(inst, ans, prev)
		if err != nil {
			return err
		}
		wbk, wbbm := res.Predicates["WBK"], res.Predicates["WBBM"]
		var want string
		switch {
		case target == levelNone && (wbk || wbbm):
			ans[ziIPAK] = scoring.Answer{Number: numPtr(math.Min(*ans[ziIPAK].Number, ipakBelowWBK))}
			continue
		case target == levelWBK && wbbm:
			ans[ziKinerja] = scoring.Answer{Option: kinC}
			continue
		case target >= levelWBK && !wbk:
			want = "WBK"
		case target == levelWBBM && !wbbm:
			want = "WBBM"
		default:
			return nil
		}
		var node string
		for _, f := range scoring.Explain(inst, res, prev) {
			if f.Predicate == want && f.Node != "" {
				node = f.Node
				break
			}
		}
		if node == "" {
			return fmt.Errorf("%s: %s cannot be reached (it needs an earlier result)", inst.ID, want)
		}
		// The weakest answer in the failing node that may still rise; capaian kinerja stays
		// at C for a WBK target, or raising it would turn the unit into a WBBM.
		pick, low := "", math.Inf(1)
		for _, ind := range inds {
			v := valueOf(inst, ind.Code, ans[ind.Code])
			if !inst.Under(ind.Code, node) || v >= 1 || (ind.Code == ziKinerja && target == levelWBK && v >= kinerjaWBK) {
				continue
			}
			if v < low {
				pick, low = ind.Code, v
			}
		}
		if pick == "" {
			return fmt.Errorf("%s: node %s cannot reach %s", inst.ID, node, want)
		}
		ans[pick], _ = raise(inst.ScaleOf(pick), ans[pick], r)
		if pick == ziKinerja && target == levelWBK && valueOf(inst, pick, ans[pick]) > kinerjaWBK {
			ans[pick] = scoring.Answer{Option: kinC}
		}
	}
	return fmt.Errorf("%s: target not reached after many adjustments", inst.ID)
}

// claimsOf derives the kecamatan's own answers from the accepted ones: an honest unit claims
// one step more on about one indicator in ten, an over-claimer on almost half, and at least
// 6% of the scale above the accepted total, so the self-versus-final chart shows who it is.
func claimsOf(inst *instrument.Instrument, kec kecamatan, accepted scoring.Answers, r *rand.Rand) (scoring.Answers, error) {
	p := 0.10
	if kec.overclaim {
		p = 0.45
	}
	self := scoring.Answers{}
	inds := inst.Indicators()
	for _, ind := range inds {
		a := accepted[ind.Code]
		if r.Float64() < p {
			a, _ = raise(inst.ScaleOf(ind.Code), a, r)
		}
		self[ind.Code] = a
	}
	if !kec.overclaim {
		return self, nil
	}
	acc, err := scoring.Score(inst, accepted, nil)
	if err != nil {
		return nil, err
	}
	order := r.Perm(len(inds))
	for i := 0; ; i++ {
		s, err := scoring.Score(inst, self, nil)
		if err != nil {
			return nil, err
		}
		if s.Total-acc.Total >= 0.06*inst.ScaleMax || i >= 4*len(inds) {
			return self, nil
		}
		code := inds[order[i%len(inds)]].Code
		self[code], _ = raise(inst.ScaleOf(code), self[code], r)
	}
}

// answeredOrder returns indicator positions in roughly sheet order: staff work through a
// sheet from the top but skip what they cannot answer yet, so a draft's gaps are scattered.
func answeredOrder(n int, r *rand.Rand) []int {
	keys := make([]float64, n)
	idx := make([]int, n)
	for i := range n {
		keys[i] = float64(i)/float64(n) + r.NormFloat64()*0.15
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(a, b int) int {
		if keys[a] < keys[b] {
			return -1
		} else if keys[a] > keys[b] {
			return 1
		}
		return 0
	})
	return idx
}
