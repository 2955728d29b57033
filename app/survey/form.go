// Package survey runs the public surveys of a unit's service counter: the IKM survey
// (Survei Kepuasan Masyarakat, PermenPANRB 14/2017) and the PEKPPP users' survey (form F-03,
// PermenPANRB 29/2022 jo. 4/2023). A kecamatan prints a QR poster; citizens answer on their
// phone or on a tablet at the counter (kiosk mode); safeguards flag what looks like one person
// filling many forms; the result (NRR per unsur, IKM, or the F-03 value) flows into the unit's
// assessment of that year through assessment.Service.Apply, marked as the survey's.
package survey

import (
	"math/big"
	"strings"
)

// Kind is the survey's questionnaire.
type Kind string

// The questionnaires.
const (
	IKM Kind = "ikm"        // SKM, nine unsur answered 1–4; NRR per unsur, IKM = 25 × mean NRR
	F03 Kind = "pekppp-f03" // PEKPPP F-03 A (tatap muka), statements answered 0–5; F-03 = mean
)

// Kinds lists the questionnaires in the order the UI offers them.
var Kinds = []Kind{IKM, F03}

// Valid reports whether k is a known questionnaire.
func (k Kind) Valid() bool { return k == IKM || k == F03 }

// Label is the questionnaire's name as people read it.
func (k Kind) Label() string {
	switch k {
	case IKM:
		return "Survei Kepuasan Masyarakat (IKM)"
	case F03:
		return "Survei pengguna layanan PEKPPP (F-03)"
	}
	return string(k)
}

// Short is the questionnaire's short name (tables, the poster).
func (k Kind) Short() string {
	switch k {
	case IKM:
		return "IKM"
	case F03:
		return "F-03"
	}
	return string(k)
}

// Option is one answer of a question: its score and its words.
type Option struct {
	Value int
	Label string
}

// Question is one item of a questionnaire. Key is stable ("U1", "P7"): the API's answer key,
// the column of the export, the key of the results.
type Question struct {
	Key   string
	Text  string // the question as the respondent reads it
	Short string // the unsur or statement in a few words (tables)
	Label string // one or two words (the chart's axis, which a phone leaves little room)
	Group string // the aspect it belongs to (F-03), empty for IKM
}

// Form is a questionnaire: its questions, their common answer scale, where its result goes.
type Form struct {
	Kind      Kind
	Title     string
	Intro     string
	Questions []Question
	// Options are the answers of every question, lowest first; IKM's differ per question
	// (Labels), F-03's are one scale.
	Options []Option
	// Labels are, per question key, the words of each answer (IKM's official four-point
	// wording); nil for a form whose Options carry the words.
	Labels map[string][]string
	// Min and Max bound an answer.
	Min, Max int
	// Family is the instrument family the result feeds ("ikm" → ikm-2017); Targets maps each
	// indicator of that instrument to what it takes: a question's key (its NRR) or "" (the
	// form's value, F-03's mean).
	Family  string
	Targets []Target
	// ReadSeconds is the least time a person takes to read the form: a straight line (every
	// answer the same) sent sooner is flagged.
	ReadSeconds int
}

// Target is one indicator the survey's result is written to.
type Target struct {
	Indicator string
	Question  string // "" for the form's overall value
}

// AnswerLabels returns the words of each answer of question q, lowest first.
func (f *Form) AnswerLabels(q string) []string {
	if l, ok := f.Labels[q]; ok {
		return l
	}
	out := make([]string, len(f.Options))
	for i, o := range f.Options {
		out[i] = o.Label
	}
	return out
}

// Question returns the question with key k.
func (f *Form) Question(k string) (Question, bool) {
	for _, q := range f.Questions {
		if q.Key == k {
			return q, true
		}
	}
	return Question{}, false
}

// index returns the position of question k, or -1.
func (f *Form) index(k string) int {
	for i, q := range f.Questions {
		if q.Key == k {
			return i
		}
	}
	return -1
}

// FormOf returns the questionnaire of a kind (nil for an unknown kind).
func FormOf(k Kind) *Form {
	switch k {
	case IKM:
		return &ikmForm
	case F03:
		return &f03Form
	}
	return nil
}

// ikmForm is the SKM questionnaire of PermenPANRB 14/2017 (its Lampiran's sample form): nine
// unsur, each answered a–d (1–4) with the regulation's words. Keys follow the instrument
// ikm-2017 (U8 penanganan pengaduan, U9 sarana prasarana, the order of the regulation's list
// of unsur; the sample form asks sarana before pengaduan), and the answer words equal the
// instrument's u1_label…u9_label scales (a test checks it).
var ikmForm = Form{
	Kind:  IKM,
	Title: "Survei Kepuasan Masyarakat",
	Intro: "Pendapat Anda tentang pelayanan yang baru Anda terima. Pilih satu jawaban untuk setiap pertanyaan; jawaban Anda tidak memengaruhi pelayanan dan tidak mencantumkan nama.",
	Questions: []Question{
		{Key: "U1", Label: "Persyaratan", Short: "Persyaratan", Text: "Bagaimana pendapat Saudara tentang kesesuaian persyaratan pelayanan dengan jenis pelayanannya?"},
		{Key: "U2", Label: "Prosedur", Short: "Sistem, mekanisme, dan prosedur", Text: "Bagaimana pemahaman Saudara tentang kemudahan prosedur pelayanan di unit ini?"},
		{Key: "U3", Label: "Waktu", Short: "Waktu penyelesaian", Text: "Bagaimana pendapat Saudara tentang kecepatan waktu dalam memberikan pelayanan?"},
		{Key: "U4", Label: "Biaya", Short: "Biaya/tarif", Text: "Bagaimana pendapat Saudara tentang kewajaran biaya/tarif dalam pelayanan?"},
		{Key: "U5", Label: "Produk", Short: "Produk spesifikasi jenis pelayanan", Text: "Bagaimana pendapat Saudara tentang kesesuaian produk pelayanan antara yang tercantum dalam standar pelayanan dengan hasil yang diberikan?"},
		{Key: "U6", Label: "Kompetensi", Short: "Kompetensi pelaksana", Text: "Bagaimana pendapat Saudara tentang kompetensi/kemampuan petugas dalam pelayanan?"},
		{Key: "U7", Label: "Perilaku", Short: "Perilaku pelaksana", Text: "Bagaimana pendapat Saudara tentang perilaku petugas dalam pelayanan terkait kesopanan dan keramahan?"},
		{Key: "U8", Label: "Pengaduan", Short: "Penanganan pengaduan, saran dan masukan", Text: "Bagaimana pendapat Saudara tentang penanganan pengaduan pengguna layanan?"},
		{Key: "U9", Label: "Sarana", Short: "Sarana dan prasarana", Text: "Bagaimana pendapat Saudara tentang kualitas sarana dan prasarana?"},
	},
	Options: []Option{{1, "a"}, {2, "b"}, {3, "c"}, {4, "d"}},
	Labels: map[string][]string{
		"U1": {"Tidak sesuai", "Kurang sesuai", "Sesuai", "Sangat sesuai"},
		"U2": {"Tidak mudah", "Kurang mudah", "Mudah", "Sangat mudah"},
		"U3": {"Tidak cepat", "Kurang cepat", "Cepat", "Sangat cepat"},
		"U4": {"Sangat mahal", "Cukup mahal", "Murah", "Gratis"},
		"U5": {"Tidak sesuai", "Kurang sesuai", "Sesuai", "Sangat sesuai"},
		"U6": {"Tidak kompeten", "Kurang kompeten", "Kompeten", "Sangat kompeten"},
		"U7": {"Tidak sopan dan ramah", "Kurang sopan dan ramah", "Sopan dan ramah", "Sangat sopan dan ramah"},
		"U8": {"Tidak ada", "Ada tetapi tidak berfungsi", "Berfungsi kurang maksimal", "Dikelola dengan baik"},
		"U9": {"Buruk", "Cukup", "Baik", "Sangat baik"},
	},
	Min: 1, Max: 4,
	Family: "ikm",
	Targets: []Target{{"IKM.U1", "U1"}, {"IKM.U2", "U2"}, {"IKM.U3", "U3"}, {"IKM.U4", "U4"}, {"IKM.U5", "U5"},
		{"IKM.U6", "U6"}, {"IKM.U7", "U7"}, {"IKM.U8", "U8"}, {"IKM.U9", "U9"}},
	ReadSeconds: 30,
}

// f03Form is PEKPPP's users' survey, form F-03 A (luring, tatap muka): statements in five
// aspects, each rated 0–5 ("derajat penilaian"). The statements are this catalog's short
// paraphrases of the form as two public encodings give it (a Scribd copy of "F-03 Pedoman
// PermenPANRB", and swamsid/organisasi-portal-biro MasterF03Seeder, jenis A); both number the
// statements 1–15 and neither shows statement 13, so the form here has the fourteen that are
// known. F-03's value is the mean of the statements' means (each over the respondents who
// rated it), 0–5: the reading this app takes, not a formula confirmed in the Pedoman's text.
var f03Form = Form{
	Kind:  F03,
	Title: "Survei Persepsi Pengguna Layanan (F-03)",
	Intro: "Nilailah setiap pernyataan tentang unit layanan ini: 0 berarti sama sekali tidak sesuai, 5 berarti sepenuhnya sesuai. Jawaban Anda tidak mencantumkan nama.",
	Questions: []Question{
		{Key: "P1", Label: "Persyaratan", Group: "Kebijakan pelayanan", Short: "Persyaratan mudah dipenuhi", Text: "Persyaratan untuk memperoleh layanan mudah dipenuhi."},
		{Key: "P2", Label: "Prosedur", Group: "Kebijakan pelayanan", Short: "Prosedur mudah", Text: "Prosedur yang harus dilalui untuk memperoleh layanan mudah."},
		{Key: "P3", Label: "Tarif", Group: "Kebijakan pelayanan", Short: "Tarif sesuai informasi", Text: "Tarif yang dibayar sama dengan tarif yang diinformasikan."},
		{Key: "P4", Label: "Waktu", Group: "Kebijakan pelayanan", Short: "Waktu sesuai informasi", Text: "Lama pelayanan sesuai dengan waktu penyelesaian yang diinformasikan."},
		{Key: "P5", Label: "Jam layanan", Group: "Profesionalisme SDM", Short: "Jam layanan sesuai", Text: "Jam layanan (tanpa jeda istirahat, termasuk informasi, konsultasi, dan pengaduan) sesuai dengan yang ditetapkan."},
		{Key: "P6", Label: "Tanggap", Group: "Profesionalisme SDM", Short: "Petugas responsif", Text: "Petugas tanggap dalam memberikan pelayanan."},
		{Key: "P7", Label: "Sikap petugas", Group: "Profesionalisme SDM", Short: "Sikap petugas", Text: "Sikap petugas mencerminkan pelayanan yang berkualitas."},
		{Key: "P8", Label: "Parkir", Group: "Sarana prasarana", Short: "Tempat parkir", Text: "Tempat parkir yang disediakan memadai."},
		{Key: "P9", Label: "Ruang tunggu", Group: "Sarana prasarana", Short: "Ruang tunggu", Text: "Ruang tunggu layanan nyaman."},
		{Key: "P10", Label: "Toilet", Group: "Sarana prasarana", Short: "Toilet", Text: "Toilet untuk pengguna layanan bersih dan memadai."},
		{Key: "P11", Label: "Penunjang", Group: "Sarana prasarana", Short: "Sarana penunjang", Text: "Sarana penunjang lain memadai (misalnya ruang laktasi, area bermain anak, layanan prioritas lansia dan penyandang disabilitas)."},
		{Key: "P12", Label: "Info daring", Group: "Sistem informasi pelayanan", Short: "Informasi daring", Text: "Informasi layanan mudah diperoleh secara daring (situs web, aplikasi, media sosial)."},
		{Key: "P13", Label: "Info di lokasi", Group: "Sistem informasi pelayanan", Short: "Informasi di lokasi", Text: "Informasi layanan mudah diperoleh di lokasi layanan."},
		{Key: "P14", Label: "Pengaduan", Group: "Konsultasi dan pengaduan", Short: "Konsultasi dan pengaduan", Text: "Layanan konsultasi dan pengaduan tersedia, memadai, dan mudah diakses."},
	},
	Options: []Option{{0, "0"}, {1, "1"}, {2, "2"}, {3, "3"}, {4, "4"}, {5, "5"}},
	Min:     0, Max: 5,
	Family:      "pekppp",
	Targets:     []Target{{"F03.a", ""}},
	ReadSeconds: 45,
}

// Profile choices of the official SKM form (identitas responden).
var (
	Genders    = []Choice{{"L", "Laki-laki"}, {"P", "Perempuan"}}
	Educations = []Choice{{"sd", "SD ke bawah"}, {"smp", "SMP"}, {"sma", "SMA/SMK"}, {"diploma", "D1–D4"},
		{"s1", "S1"}, {"s2", "S2 ke atas"}}
	Jobs = []Choice{{"pns", "PNS"}, {"tni", "TNI"}, {"polri", "Polri"}, {"swasta", "Pegawai swasta"},
		{"wirausaha", "Wirausaha"}, {"pelajar", "Pelajar/mahasiswa"}, {"lainnya", "Lainnya"}}
)

// Choice is one answer of a profile question: its stored key and its words.
type Choice struct {
	Key   string `json:"key"`
	Label string `json:"label"`
}

// labelOf returns the words of key among cs, or "" when it is none of them.
func labelOf(cs []Choice, key string) string {
	for _, c := range cs {
		if c.Key == key {
			return c.Label
		}
	}
	return ""
}

// Ages bound a respondent's age in years.
const (
	MinAge = 10
	MaxAge = 120
)

// MaxSuggestion bounds the suggestion (characters).
const MaxSuggestion = 1000

// MaxService bounds the service's name (characters).
const MaxService = 120

// MaxPopulation bounds the population a survey is set up for.
const MaxPopulation = 10_000_000

// RequiredSample is the least number of respondents for a population of n service users
// (the users of the period before), from Krejcie and Morgan (1970), the table PermenPANRB
// 14/2017's guidance uses: S = X²·N·P(1−P) / (d²(N−1) + X²·P(1−P)) with X² = 3,841 (95 %),
// P = 0,5 and d = 0,05, rounded to the nearest whole respondent, which reproduces every entry
// of the table (10 → 10, 100 → 80, 1 000 → 278, 2 500 → 333, 10 000 → 370); from 100 000 users
// the table's 384. Computed exactly (rationals); 0 for n < 1.
func RequiredSample(n int) int {
	if n < 1 {
		return 0
	}
	if n >= 100_000 {
		return 384
	}
	x2 := big.NewRat(3841, 1000)
	pq := big.NewRat(1, 4)
	d2 := big.NewRat(1, 400)
	N := new(big.Rat).SetInt64(int64(n))
	num := new(big.Rat).Mul(x2, N)
	num.Mul(num, pq)
	den := new(big.Rat).Mul(d2, new(big.Rat).Sub(N, big.NewRat(1, 1)))
	den.Add(den, new(big.Rat).Mul(x2, pq))
	s := num.Quo(num, den)
	// Nearest whole number, halves up: floor(s + 1/2).
	s.Add(s, big.NewRat(1, 2))
	q := new(big.Int).Quo(s.Num(), s.Denom())
	return min(int(q.Int64()), n)
}

// normToken lower-cases a token typed by hand and drops the dashes a poster groups it with.
func normToken(s string) string {
	return strings.ToLower(strings.ReplaceAll(strings.TrimSpace(s), "-", ""))
}
