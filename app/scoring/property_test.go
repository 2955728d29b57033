package scoring

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/rapor-rb/raporrb/app/apperr"
	"github.com/rapor-rb/raporrb/app/instrument"
)

// randomAnswer is any valid answer on the scale, sometimes at the scale's ends.
func randomAnswer(rng *rand.Rand, s instrument.Scale) Answer {
	switch s.Kind {
	case instrument.KindChoice:
		return opt(s.Options[rng.IntN(len(s.Options))].Key)
	case instrument.KindPercent:
		return number(randomIn(rng, 0, 100))
	default:
		return number(randomIn(rng, *s.Min, *s.Max))
	}
}

func randomIn(rng *rand.Rand, lo, hi float64) float64 {
	switch rng.IntN(8) {
	case 0:
		return lo
	case 1:
		return hi
	case 2: // two decimals, as people type them
		return min(hi, Round2(lo+rng.Float64()*(hi-lo)))
	}
	return lo + rng.Float64()*(hi-lo)
}

// randomAnswers leaves about a quarter of the indicators unanswered.
func randomAnswers(rng *rand.Rand, in *instrument.Instrument) Answers {
	as := Answers{}
	for _, ind := range in.Indicators() {
		if rng.IntN(4) > 0 {
			as[ind.Code] = randomAnswer(rng, in.Scales[ind.Scale])
		}
	}
	return as
}

// improve returns a strictly better answer than cur (an answer where there was none, a
// higher-valued option, a larger number), or false when cur is already the best.
func improve(rng *rand.Rand, s instrument.Scale, cur Answer, answered bool) (Answer, bool) {
	if !answered {
		return randomAnswer(rng, s), true
	}
	v, err := Value(s, cur)
	if err != nil {
		panic(err)
	}
	switch s.Kind {
	case instrument.KindChoice:
		var better []instrument.Option
		for _, o := range s.Options {
			if o.Value > v {
				better = append(better, o)
			}
		}
		if len(better) == 0 {
			return Answer{}, false
		}
		return opt(better[rng.IntN(len(better))].Key), true
	default:
		hi := 100.0
		if s.Kind == instrument.KindNumber {
			hi = *s.Max
		}
		if *cur.Number >= hi {
			return Answer{}, false
		}
		x := *cur.Number + (hi-*cur.Number)*(0.001+0.999*rng.Float64())
		return number(min(x, hi)), true
	}
}

// Improving any single answer never lowers the total or any node, and never turns a true
// predicate false, whatever the earlier result.
func TestMonotonicity(t *testing.T) {
	prevs := []Previous{nil, {"WBK": true}, {"WBK": false}}
	for _, in := range catalog.List() {
		t.Run(in.ID, func(t *testing.T) {
			inds := in.Indicators()
			for seed := uint64(1); seed <= 4; seed++ {
				rng := rand.New(rand.NewPCG(seed, 0x5eed))
				for iter := range 500 {
					as := randomAnswers(rng, in)
					ind := inds[rng.IntN(len(inds))]
					cur, answered := as[ind.Code]
					better, ok := improve(rng, in.Scales[ind.Scale], cur, answered)
					if !ok {
						continue
					}
					prev := prevs[rng.IntN(len(prevs))]
					before := mustScore(t, in, as, prev)
					as[ind.Code] = better
					after := mustScore(t, in, as, prev)

					where := func() string {
						from := "unanswered"
						if answered {
							from = fmtAnswer(cur)
						}
						return fmt.Sprintf("seed %d iter %d: %s %s → %s", seed, iter, ind.Code, from, fmtAnswer(better))
					}
					if after.Total < before.Total {
						t.Fatalf("%s lowered the total %v → %v", where(), before.Total, after.Total)
					}
					for code, b := range before.Nodes {
						if after.Nodes[code] < b {
							t.Fatalf("%s lowered %s %v → %v", where(), code, b, after.Nodes[code])
						}
					}
					for key, b := range before.Predicates {
						if b && !after.Predicates[key] {
							t.Fatalf("%s turned %s false", where(), key)
						}
					}
				}
			}
		})
	}
}

// FuzzParseAndScore feeds arbitrary answers JSON to one of the shipped sheets: parsing either
// fails with apperr.Invalid or yields answers whose scores stay within the sheet's points.
func FuzzParseAndScore(f *testing.F) {
	list := catalog.List() // ikm, new-normal, pekppp, sakip, zi
	for i, seed := range []string{
		`{"IKM.U1": 3.2, "IKM.U2": 4, "IKM.U9": 1}`,
		`{"PK.1": "Ya", "KW.2": 49.75, "LD.1": "B"}`,
		`{"F02.KB.01.a": 4.5, "F02.INO.30.a": 0, "F03.a": 4.25}`,
		`{"PK.KB.1": "AA", "PK.KU.1": "E"}`,
		`{"P.MP.PM.1.a": "Ya", "P.MP.RF.1.a": 75, "H.BA.IPAK.a": 3.6, "H.BA.KIN.a": "C"}`,
		`{"P.MP.RF.1.a": 101}`,
		`{"P.MP.PM.1.a": 1}`,
		`{"P.MP.PM.1.a": null}`,
		`{"IKM.U1": "3.2"}`,
		`{"nope": "Ya"}`,
		`{"F02.KB.01.a": 1e400}`,
		`{"IKM.U1": 0.999999}`,
		`[]`,
		`{"PK.KB.1": {"$gt": ""}}`,
	} {
		f.Add(uint8(i), []byte(seed))
	}
	f.Fuzz(func(t *testing.T, which uint8, data []byte) {
		in := list[int(which)%len(list)]
		dec := json.NewDecoder(bytes.NewReader(data))
		dec.UseNumber()
		var raw map[string]any
		if err := dec.Decode(&raw); err != nil {
			return
		}
		as, err := ParseAnswers(in, raw)
		if err != nil {
			if !apperr.Is(err, apperr.Invalid) || apperr.Message(err) == "" {
				t.Fatalf("ParseAnswers error %v is not an Invalid with a message", err)
			}
			return
		}
		r, err := Score(in, as, Previous{"WBK": which%2 == 0})
		if err != nil {
			t.Fatalf("Score after ParseAnswers succeeded: %v", err)
		}
		if !(r.Total >= 0 && r.Total <= in.ScaleMax) {
			t.Fatalf("total %v outside [0, %v]", r.Total, in.ScaleMax)
		}
		in.Walk(func(a *instrument.Area, _ int) {
			// Nodes are rounded to 2 decimals, so compare with the rounded points
			// (a pekppp leaf of 0.168 points may show 0.17).
			if v := r.Nodes[a.Code]; !(v >= 0 && v <= Round2(in.Points(a))+1e-9) {
				t.Fatalf("%s = %v outside [0, %v]", a.Code, v, in.Points(a))
			}
		})
		if len(r.Missing)+len(as) != in.NumIndicators() || len(r.Predicates) != len(in.Predicates) {
			t.Fatalf("missing %d + answered %d != %d indicators, or predicates %v incomplete",
				len(r.Missing), len(as), in.NumIndicators(), r.Predicates)
		}
	})
}
