package survey

import (
	"math/big"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/rapor-rb/raporrb/app/apperr"
	"github.com/rapor-rb/raporrb/app/instrument"
	"github.com/rapor-rb/raporrb/app/num"
	"github.com/rapor-rb/raporrb/app/scoring"
	"github.com/rapor-rb/raporrb/seed/instruments"
)

func catalog(t *testing.T) *instrument.Catalog {
	t.Helper()
	cat, err := instrument.LoadFS(instruments.FS)
	if err != nil {
		t.Fatal(err)
	}
	return cat
}

// The Krejcie–Morgan table of ikm-2017.yaml's header, entry by entry, and the issue's
// 2 500 → 333.
func TestRequiredSampleFollowsTheTable(t *testing.T) {
	t.Parallel()
	table := map[int]int{10: 10, 15: 14, 20: 19, 30: 28, 40: 36, 50: 44, 75: 63, 100: 80, 150: 108, 200: 132,
		250: 152, 300: 169, 400: 196, 500: 217, 750: 254, 1000: 278, 1500: 306, 2000: 322,
		3000: 341, 5000: 357, 10000: 370, 20000: 377, 50000: 381, 100000: 384, 2500: 333, 1_000_000: 384}
	for n, want := range table {
		if got := RequiredSample(n); got != want {
			t.Errorf("RequiredSample(%d) = %d, want %d", n, got, want)
		}
	}
	for n := 1; n <= 20000; n++ {
		if s := RequiredSample(n); s < 1 || s > n || (n > 1 && s < RequiredSample(n-1)) {
			t.Fatalf("RequiredSample(%d) = %d: not within 1..n or not growing", n, s)
		}
	}
	if RequiredSample(0) != 0 {
		t.Error("no population, no sample")
	}
}

// The form's answer words are the instrument's (ikm-2017's u*_label scales, which carry the
// regulation's four-point wording), and every target is an indicator on a survey scale that
// takes the form's range.
func TestFormsMatchTheCatalog(t *testing.T) {
	t.Parallel()
	cat := catalog(t)
	ikm, _ := cat.Get("ikm-2017")
	for _, q := range ikmForm.Questions {
		sc, ok := ikm.Scales[strings.ToLower(q.Key)+"_label"]
		if !ok {
			t.Fatalf("no scale %s_label", q.Key)
		}
		var want []string
		for _, o := range sc.Options {
			want = append(want, o.Key)
		}
		if got := ikmForm.AnswerLabels(q.Key); !strings.EqualFold(strings.Join(got, "|"), strings.Join(want, "|")) {
			t.Errorf("%s: form %v, catalog %v", q.Key, got, want)
		}
	}
	for _, f := range []*Form{&ikmForm, &f03Form} {
		inst := map[Kind]string{IKM: "ikm-2017", F03: "pekppp-2022"}[f.Kind]
		in, _ := cat.Get(inst)
		for _, tg := range f.Targets {
			sc := in.ScaleOf(tg.Indicator)
			if _, ok := in.Indicator(tg.Indicator); !ok || !sc.FromSurvey() || sc.Kind != instrument.KindNumber {
				t.Errorf("%s: target %s is not a survey number", f.Kind, tg.Indicator)
			}
			lo, hi := float64(f.Min), float64(f.Max)
			if tg.Question == "" && f.Kind == F03 {
				lo = 0
			}
			if *sc.Min > lo || *sc.Max != hi {
				t.Errorf("%s: %s takes %v–%v, the form gives %v–%v", f.Kind, tg.Indicator, *sc.Min, *sc.Max, lo, hi)
			}
			if tg.Question != "" {
				if _, ok := f.Question(tg.Question); !ok {
					t.Errorf("%s: target %s names unknown question %s", f.Kind, tg.Indicator, tg.Question)
				}
			}
		}
		if len(f.Options) != f.Max-f.Min+1 {
			t.Errorf("%s: %d options for %d–%d", f.Kind, len(f.Options), f.Min, f.Max)
		}
	}
}

// IKM's bands are the instrument's grades, at every edge (the rounded IKM decides).
func TestBandsAreTheInstrumentsGrades(t *testing.T) {
	t.Parallel()
	ikm, _ := catalog(t).Get("ikm-2017")
	for cents := int64(2500); cents <= 10000; cents++ {
		v := num.FromCents(cents)
		g, ok := scoring.GradeOf(ikm, v)
		if b := BandOf(cents); !ok || g.Key != b.Key || g.Label != b.Label {
			t.Fatalf("IKM %v: band %s %s, instrument grade %s %s", v, b.Key, b.Label, g.Key, g.Label)
		}
	}
}

func responses(vs ...[]int) []Response {
	t0 := time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)
	out := make([]Response, len(vs))
	for i, a := range vs {
		out[i] = Response{Seq: int64(i + 1), At: t0.Add(time.Duration(i) * 3 * time.Minute), Answers: a, Seconds: 90}
	}
	return out
}

// Compute leaves blanks out of each mean, an unsur nobody answered out of the IKM (which then
// cannot be computed), flagged responses out of everything, and counts what it left out.
func TestComputeBlanksAndFlags(t *testing.T) {
	t.Parallel()
	sv := &Survey{ID: "2026/ikm/x", Kind: IKM, Population: 40, Seq: 4}
	rs := responses(
		[]int{4, 4, 3, 3, 4, 4, 4, 3, 3},
		[]int{3, Blank, 3, 4, 3, 3, 4, 4, 3},
		[]int{4, 4, Blank, 4, 4, 4, 3, 3, 4},
		[]int{2, 3, 3, Blank, 3, 4, 4, 3, 3},
	)
	r := Compute(sv, rs, DefaultRules)
	if *r.NRR["U2"] != 3.67 || *r.IKM != 86.34 || *r.Band != "B" || r.N != 4 || r.RequiredSample != 36 || r.Enough {
		t.Errorf("results = %+v", r)
	}
	if want := big.NewRat(9325, 108); r.Value("").Cmp(want) != 0 {
		t.Errorf("exact IKM %v, want %v", r.Value(""), want)
	}
	if r.Weakest != "U3" {
		t.Errorf("weakest = %s", r.Weakest)
	}
	// Nobody answers U4: no IKM, U4 missing.
	for i := range rs {
		rs[i].Answers[3] = Blank
	}
	r = Compute(sv, rs, DefaultRules)
	if r.IKM != nil || r.Band != nil || r.NRR["U4"] != nil || !slices.Equal(r.Missing, []string{"U4"}) {
		t.Errorf("whole unsur blank: %+v", r)
	}
	// Three identical within two minutes: all three flagged, left out, counted back by decision.
	burst := responses([]int{4, 4, 4, 4, 4, 4, 4, 4, 3}, []int{4, 4, 4, 4, 4, 4, 4, 4, 3}, []int{4, 4, 4, 4, 4, 4, 4, 4, 3}, []int{3, 3, 2, 3, 3, 3, 3, 3, 3})
	for i := range 3 {
		burst[i].At = burst[0].At.Add(time.Duration(i) * 50 * time.Second)
	}
	sv.Seq = 4
	r = Compute(sv, burst, DefaultRules)
	if r.N != 1 || r.Flagged != 3 {
		t.Errorf("burst: n %d flagged %d", r.N, r.Flagged)
	}
	sv.Included = []int64{2}
	if r = Compute(sv, burst, DefaultRules); r.N != 2 || r.Flagged != 2 {
		t.Errorf("one included back: n %d flagged %d", r.N, r.Flagged)
	}
}

// The rules, one by one, at their edges.
func TestFlags(t *testing.T) {
	t.Parallel()
	t0 := time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)
	at := func(s int) time.Time { return t0.Add(time.Duration(s) * time.Second) }
	same := []int{3, 4, 3, 4, 3, 4, 3, 4, 3}
	straight := []int{3, 3, 3, 3, 3, 3, 3, 3, 3}
	for _, tc := range []struct {
		name string
		rs   []Response
		want map[int64][]string
	}{
		{"two identical in a minute: no burst", []Response{{Seq: 1, At: at(0), Answers: same, Seconds: 60}, {Seq: 2, At: at(60), Answers: same, Seconds: 60}}, map[int64][]string{}},
		{"three identical within 120 s: a burst", []Response{{Seq: 1, At: at(0), Answers: same, Seconds: 60}, {Seq: 2, At: at(60), Answers: same, Seconds: 60},
			{Seq: 3, At: at(120), Answers: same, Seconds: 60}}, map[int64][]string{1: {FlagBurst}, 2: {FlagBurst}, 3: {FlagBurst}}},
		{"three identical over 121 s: none", []Response{{Seq: 1, At: at(0), Answers: same, Seconds: 60}, {Seq: 2, At: at(61), Answers: same, Seconds: 60},
			{Seq: 3, At: at(121), Answers: same, Seconds: 60}}, map[int64][]string{}},
		{"a chain: each window of 120 s holds two", []Response{{Seq: 1, At: at(0), Answers: same, Seconds: 60}, {Seq: 2, At: at(100), Answers: same, Seconds: 60},
			{Seq: 3, At: at(200), Answers: same, Seconds: 60}, {Seq: 4, At: at(300), Answers: same, Seconds: 60}}, map[int64][]string{}},
		{"straight line at reading speed: fine", []Response{{Seq: 1, At: at(0), Answers: straight, Seconds: 30}}, map[int64][]string{}},
		{"straight line too fast", []Response{{Seq: 1, At: at(0), Answers: straight, Seconds: 29}}, map[int64][]string{1: {FlagFast}}},
		{"straight line, time unknown", []Response{{Seq: 1, At: at(0), Answers: straight, Seconds: -1}}, map[int64][]string{1: {FlagFast}}},
		{"two answers only: not a line", []Response{{Seq: 1, At: at(0), Answers: []int{4, 4, Blank, Blank, Blank, Blank, Blank, Blank, Blank}, Seconds: 2}}, map[int64][]string{}},
		{"mixed answers fast: not flagged", []Response{{Seq: 1, At: at(0), Answers: same, Seconds: 5}}, map[int64][]string{}},
		{"one device twice in 10 minutes", []Response{{Seq: 1, At: at(0), Answers: same, Device: "d", Seconds: 60}, {Seq: 2, At: at(600), Answers: straight, Device: "d", Seconds: 60}},
			map[int64][]string{2: {FlagDevice}}},
		{"one device after 10 minutes", []Response{{Seq: 1, At: at(0), Answers: same, Device: "d", Seconds: 60}, {Seq: 2, At: at(601), Answers: straight, Device: "d", Seconds: 60}},
			map[int64][]string{}},
		{"the kiosk is one device for everyone", []Response{{Seq: 1, At: at(0), Answers: same, Kiosk: true, Device: "", Seconds: 60},
			{Seq: 2, At: at(70), Answers: straight, Kiosk: true, Seconds: 60}}, map[int64][]string{}},
	} {
		got := Flags(&ikmForm, tc.rs, DefaultRules)
		if len(got) != len(tc.want) {
			t.Errorf("%s: flags %v, want %v", tc.name, got, tc.want)
			continue
		}
		for seq, w := range tc.want {
			if !slices.Equal(got[seq], w) {
				t.Errorf("%s: %d flagged %v, want %v", tc.name, seq, got[seq], w)
			}
		}
	}
}

// F-03's value is the mean of the statements' means (a statement nobody rated left out).
func TestComputeF03(t *testing.T) {
	t.Parallel()
	sv := &Survey{ID: "2026/pekppp-f03/x", Kind: F03, Population: 10, Seq: 2}
	a := []int{5, 4, 3, 4, 4, 5, 4, 2, 3, 3, Blank, 4, 4, 3}
	b := []int{4, 4, 3, 4, 5, 5, 4, 3, 3, 2, Blank, 4, 5, 3}
	r := Compute(sv, responses(a, b), DefaultRules)
	// Means: 4.5 4 3 4 4.5 5 4 2.5 3 2.5 – 4 4.5 3 → sum 48.5 over 13 statements = 97/26.
	if want := big.NewRat(97, 26); r.Value("").Cmp(want) != 0 || *r.F03 != 3.73 || r.IKM != nil || !slices.Equal(r.Missing, []string{"P11"}) {
		t.Errorf("F-03 = %v (%v), IKM %v, missing %v", r.Value(""), *r.F03, r.IKM, r.Missing)
	}
}

// The sheet scores the survey's NRR (the float nearest each exact mean) to the survey's own
// IKM, on 500 random sets of questionnaires with blanks.
func TestSheetTotalEqualsTheSurveysIKM(t *testing.T) {
	t.Parallel()
	ikm, _ := catalog(t).Get("ikm-2017")
	rng := rand.New(rand.NewPCG(15, 2026))
	for range 500 {
		n := 1 + rng.IntN(40)
		rs := make([]Response, n)
		for i := range rs {
			a := make([]int, 9)
			for q := range a {
				a[q] = 1 + rng.IntN(4)
				if rng.IntN(6) == 0 && q != 0 {
					a[q] = Blank
				}
			}
			a[1+rng.IntN(8)] = 1 + rng.IntN(4) // never a whole-blank unsur by chance only
			rs[i] = Response{Seq: int64(i + 1), At: time.Unix(int64(i)*600, 0), Answers: a, Seconds: 120, Device: ""}
		}
		sv := &Survey{ID: "2026/ikm/x", Kind: IKM, Population: 100, Seq: int64(n)}
		res := Compute(sv, rs, Rules{BurstWindow: time.Second, BurstSize: 1000, DeviceWindow: 0})
		if res.IKM == nil {
			continue
		}
		answers := scoring.Answers{}
		for _, tg := range ikmForm.Targets {
			f, _ := res.Value(tg.Question).Float64()
			answers[tg.Indicator] = scoring.Answer{Number: &f}
		}
		sc, err := scoring.Score(ikm, answers, nil)
		if err != nil {
			t.Fatal(err)
		}
		if sc.Total != *res.IKM {
			t.Fatalf("sheet %v, survey %v for %v", sc.Total, *res.IKM, rs)
		}
	}
}

// Input validation names the field.
func TestInputValidate(t *testing.T) {
	t.Parallel()
	v := func(k string, n int) map[string]*int { return map[string]*int{k: &n} }
	for _, tc := range []struct {
		in      Input
		mention string
	}{
		{Input{Answers: v("U1", 0)}, "answers.U1"},
		{Input{Answers: v("U9", 5)}, "answers.U9"},
		{Input{Answers: v("P1", 3)}, "P1"},
		{Input{Answers: map[string]*int{"U1": nil}}, "answers"},
		{Input{Answers: v("U1", 3), Profile: Profile{Age: 9}}, "umur"},
		{Input{Answers: v("U1", 3), Profile: Profile{Gender: "X"}}, "jenis_kelamin"},
		{Input{Answers: v("U1", 3), Profile: Profile{Job: "$ne"}}, "pekerjaan"},
		{Input{Answers: v("U1", 3), Saran: string([]byte{0xff, 0xfe})}, "saran"},
	} {
		_, err := tc.in.Validate(&ikmForm)
		if !apperr.Is(err, apperr.Invalid) || !strings.Contains(apperr.Message(err), tc.mention) {
			t.Errorf("%+v: %v, want Invalid naming %s", tc.in, err, tc.mention)
		}
	}
	a, err := Input{Answers: v("U3", 2)}.Validate(&ikmForm)
	if err != nil || !slices.Equal(a, []int{Blank, Blank, 2, Blank, Blank, Blank, Blank, Blank, Blank}) {
		t.Errorf("valid input: %v %v", a, err)
	}
	if got := CleanSuggestion(" <b>baik</b>\x00\x1b[31m\n  "); got != "<b>baik</b>[31m" {
		t.Errorf("CleanSuggestion = %q", got)
	}
}

func TestTokens(t *testing.T) {
	t.Parallel()
	seen := map[string]bool{}
	for range 1000 {
		tok := NewToken()
		if !ValidToken(tok) || seen[tok] {
			t.Fatalf("token %q", tok)
		}
		seen[tok] = true
	}
	for _, bad := range []string{"", "ABCDEFGHJKMNPQRS", "0123456789abcdeu", "0123456789abcdefg", "$gt", "0123456789abcde"} {
		if ValidToken(bad) {
			t.Errorf("ValidToken(%q)", bad)
		}
	}
	if normToken(" 7KQ2-MX9P-A3HT-4WZC ") != "7kq2mx9pa3ht4wzc" {
		t.Error("a typed token is not normalized")
	}
	if GroupToken("7kq2mx9pa3ht4wzc") != "7kq2-mx9p-a3ht-4wzc" {
		t.Error("GroupToken")
	}
}
