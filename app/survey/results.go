package survey

import (
	"math/big"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/rapor-rb/raporrb/app/num"
)

// Reasons a response is flagged (Flags), as the API and the export write them.
const (
	// FlagBurst: the same answers as at least two other responses within BurstWindow — one
	// hand filling forms in a row.
	FlagBurst = "beruntun"
	// FlagFast: every answer the same ("straight line"), sent sooner than a person reads the
	// form (Form.ReadSeconds), or through the API without a form ticket (time unknown).
	FlagFast = "cepat"
	// FlagDevice: a second response from one phone's browser within DeviceWindow (not in
	// kiosk mode, where one tablet serves everyone).
	FlagDevice = "perangkat"
)

// FlagLabel is a flag's reason as the pages show it.
func FlagLabel(reason string) string {
	switch reason {
	case FlagBurst:
		return "jawaban identik beruntun"
	case FlagFast:
		return "jawaban seragam terlalu cepat"
	case FlagDevice:
		return "perangkat yang sama dalam beberapa menit"
	}
	return reason
}

// Rules tune the safeguards.
type Rules struct {
	// BurstWindow and BurstSize: BurstSize identical answer sets within BurstWindow are a
	// burst, every one of them flagged.
	BurstWindow time.Duration
	BurstSize   int
	// DeviceWindow: a device's response within this long after its previous one is flagged.
	DeviceWindow time.Duration
}

// DefaultRules are the safeguards' settings: a person at the counter takes a minute or more
// per questionnaire, so three identical ones within two minutes are one hand; a phone that
// answers again within ten minutes is the same person (or a household sharing it, which
// the admin can count back in).
var DefaultRules = Rules{BurstWindow: 2 * time.Minute, BurstSize: 3, DeviceWindow: 10 * time.Minute}

// straightLine reports whether a response gives at least three answers, all the same.
func straightLine(answers []int) bool {
	first, n := Blank, 0
	for _, a := range answers {
		if a == Blank {
			continue
		}
		if n > 0 && a != first {
			return false
		}
		first = a
		n++
	}
	return n >= 3
}

// Flags judges every response against the rules and returns, by seq, the reasons of those
// flagged (none: absent). It looks at all responses in order of arrival, so a response joins
// a burst when later ones repeat it. Pure: the same responses always give the same flags.
func Flags(f *Form, rs []Response, rules Rules) map[int64][]string {
	out := map[int64][]string{}
	add := func(seq int64, reason string) {
		if !slices.Contains(out[seq], reason) {
			out[seq] = append(out[seq], reason)
		}
	}
	byAt := slices.Clone(rs)
	slices.SortStableFunc(byAt, func(a, b Response) int {
		if c := a.At.Compare(b.At); c != 0 {
			return c
		}
		return int(a.Seq - b.Seq)
	})
	// Bursts: per identical answer set, any window of BurstWindow holding BurstSize of them.
	groups := map[string][]Response{}
	for _, r := range byAt {
		groups[vectorKey(r.Answers)] = append(groups[vectorKey(r.Answers)], r)
	}
	for _, g := range groups {
		e := 0
		for s := range g {
			if e < s {
				e = s
			}
			for e+1 < len(g) && g[e+1].At.Sub(g[s].At) <= rules.BurstWindow {
				e++
			}
			if e-s+1 >= rules.BurstSize {
				for i := s; i <= e; i++ {
					add(g[i].Seq, FlagBurst)
				}
			}
		}
	}
	// Straight lines faster than reading.
	for _, r := range byAt {
		if straightLine(r.Answers) && (r.Seconds < 0 || r.Seconds < f.ReadSeconds) {
			add(r.Seq, FlagFast)
		}
	}
	// One device again within minutes (kiosk mode excepted).
	last := map[string]time.Time{}
	for _, r := range byAt {
		if r.Device == "" || r.Kiosk {
			continue
		}
		if t, ok := last[r.Device]; ok && r.At.Sub(t) <= rules.DeviceWindow {
			add(r.Seq, FlagDevice)
		}
		last[r.Device] = r.At
	}
	return out
}

func vectorKey(answers []int) string {
	var b strings.Builder
	for _, a := range answers {
		b.WriteString(strconv.Itoa(a))
		b.WriteByte(',')
	}
	return b.String()
}

// Band is IKM's mutu pelayanan (PermenPANRB 14/2017): A 88,31–100,00 Sangat Baik, B
// 76,61–88,30 Baik, C 65,00–76,60 Kurang Baik, D 25,00–64,99 Tidak Baik, judged on the IKM
// rounded to two decimals (an IKM of exactly 88,305 is 88,31: A).
type Band struct {
	Key, Label string
	MinCents   int64
}

// Bands are IKM's bands, best first (the ikm-2017 instrument grades the same; a test checks).
var Bands = []Band{{"A", "Sangat Baik", 8831}, {"B", "Baik", 7661}, {"C", "Kurang Baik", 6500}, {"D", "Tidak Baik", 0}}

// BandOf returns the band of an IKM given in hundredths.
func BandOf(cents int64) Band {
	for _, b := range Bands {
		if cents >= b.MinCents {
			return b
		}
	}
	return Bands[len(Bands)-1]
}

// Results is a survey's result over the responses it counts: every response not flagged,
// and the flagged ones the admin included back. Figures are rounded to two decimals half away
// from zero on their exact value (app/num); nil where there is nothing to compute.
type Results struct {
	Survey string `json:"survey"`
	Kind   Kind   `json:"kind"`
	// N counts the responses counted; Received every response stored; Flagged those left
	// out (flagged, not included back).
	N        int   `json:"n"`
	Received int64 `json:"received"`
	Flagged  int   `json:"flagged"`
	// NRR is each question's mean over the responses that answered it (a blank is left out,
	// not counted as 0); Answered those responses' number. Missing lists the questions no
	// counted response answered.
	NRR      map[string]*float64 `json:"nrr"`
	Answered map[string]int      `json:"answered"`
	Missing  []string            `json:"missing"`
	// IKM = 25 × the mean of the nine NRR (IKM only; nil while an unsur has no answer), and
	// its band.
	IKM       *float64 `json:"ikm"`
	Band      *string  `json:"band"`
	BandLabel string   `json:"band_label,omitempty"`
	// F03 is F-03's value, the mean of the rated statements' means, 0–5 (F-03 only).
	F03 *float64 `json:"f03"`
	// RequiredSample is the Krejcie–Morgan size for the survey's population; Enough says N
	// reaches it.
	RequiredSample int  `json:"required_sample"`
	Enough         bool `json:"enough"`
	// Weakest is the question with the lowest mean (ties: the first).
	Weakest string `json:"weakest,omitempty"`
	// Profile counts the counted respondents by profile answer (Stat.Key "" = not given).
	Profile ProfileStats `json:"profile"`

	exact map[string]*big.Rat // each question's exact mean
	value *big.Rat            // IKM or F-03, exact
}

// ProfileStats counts respondents by each profile question.
type ProfileStats struct {
	Age       []Stat `json:"umur"`
	Gender    []Stat `json:"jenis_kelamin"`
	Education []Stat `json:"pendidikan"`
	Job       []Stat `json:"pekerjaan"`
}

// Stat is one answer of a profile question and its respondents.
type Stat struct {
	Key   string `json:"key"`
	Label string `json:"label"`
	N     int    `json:"n"`
}

// ageBands are the age groups of the profile table.
var ageBands = []struct {
	key, label string
	lo, hi     int
}{{"<20", "di bawah 20 tahun", MinAge, 19}, {"20-29", "20–29 tahun", 20, 29}, {"30-39", "30–39 tahun", 30, 39},
	{"40-49", "40–49 tahun", 40, 49}, {"50-59", "50–59 tahun", 50, 59}, {"60+", "60 tahun ke atas", 60, MaxAge}}

// Value is the result the survey writes to its instrument's indicator of question q (q ""
// is the form's value: F-03), exact, or nil when there is none.
func (r *Results) Value(q string) *big.Rat {
	if q == "" {
		return r.value
	}
	return r.exact[q]
}

// Counted reports whether response seq is counted: not flagged, or included back.
func Counted(flags map[int64][]string, included []int64, seq int64) bool {
	return len(flags[seq]) == 0 || slices.Contains(included, seq)
}

// Compute returns the results of survey s over its stored responses rs.
func Compute(s *Survey, rs []Response, rules Rules) *Results {
	f := s.Form()
	flags := Flags(f, rs, rules)
	res := &Results{Survey: s.ID, Kind: s.Kind, Received: s.Seq, NRR: map[string]*float64{}, Answered: map[string]int{},
		Missing: []string{}, RequiredSample: RequiredSample(s.Population), exact: map[string]*big.Rat{}}
	sums := make([]int64, len(f.Questions))
	ns := make([]int64, len(f.Questions))
	ages := make([]int, len(ageBands)+1)
	gender, edu, job := map[string]int{}, map[string]int{}, map[string]int{}
	for _, r := range rs {
		if !Counted(flags, s.Included, r.Seq) {
			res.Flagged++
			continue
		}
		res.N++
		for i, a := range r.Answers {
			if i < len(sums) && a != Blank {
				sums[i] += int64(a)
				ns[i]++
			}
		}
		ages[ageBand(r.Profile.Age)]++
		gender[r.Profile.Gender]++
		edu[r.Profile.Education]++
		job[r.Profile.Job]++
	}
	sum, rated := new(big.Rat), 0
	var weakest *big.Rat
	for i, q := range f.Questions {
		res.Answered[q.Key] = int(ns[i])
		if ns[i] == 0 {
			res.NRR[q.Key] = nil
			res.Missing = append(res.Missing, q.Key)
			continue
		}
		m := big.NewRat(sums[i], ns[i])
		res.exact[q.Key] = m
		v := num.Round(m)
		res.NRR[q.Key] = &v
		sum.Add(sum, m)
		rated++
		if weakest == nil || m.Cmp(weakest) < 0 {
			weakest, res.Weakest = m, q.Key
		}
	}
	switch s.Kind {
	case IKM:
		if len(res.Missing) == 0 {
			// IKM = 25 × ΣNRR / 9: the regulation's weight 1/9 (written 0,111) exactly.
			res.value = new(big.Rat).Mul(sum, big.NewRat(25, int64(len(f.Questions))))
			v := num.Round(res.value)
			res.IKM = &v
			b := BandOf(num.Cents(res.value))
			res.Band, res.BandLabel = &b.Key, b.Label
		}
	case F03:
		if rated > 0 {
			res.value = new(big.Rat).Quo(sum, big.NewRat(int64(rated), 1))
			v := num.Round(res.value)
			res.F03 = &v
		}
	}
	res.Enough = res.RequiredSample > 0 && res.N >= res.RequiredSample
	res.Profile = ProfileStats{Age: make([]Stat, 0, len(ageBands)+1)}
	for i, b := range ageBands {
		res.Profile.Age = append(res.Profile.Age, Stat{b.key, b.label, ages[i+1]})
	}
	res.Profile.Age = append(res.Profile.Age, Stat{"", "tidak diisi", ages[0]})
	res.Profile.Gender = stats(Genders, gender)
	res.Profile.Education = stats(Educations, edu)
	res.Profile.Job = stats(Jobs, job)
	return res
}

// ageBand returns the index of an age's group in ageBands, plus one; 0 for no age.
func ageBand(age int) int {
	for i, b := range ageBands {
		if age >= b.lo && age <= b.hi {
			return i + 1
		}
	}
	return 0
}

func stats(cs []Choice, n map[string]int) []Stat {
	out := make([]Stat, 0, len(cs)+1)
	for _, c := range cs {
		out = append(out, Stat{c.Key, c.Label, n[c.Key]})
	}
	return append(out, Stat{"", "tidak diisi", n[""]})
}
