package survey

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/rapor-rb/raporrb/app/apperr"
)

// Status of a survey: open surveys take responses, closed ones answer 410.
type Status string

// Statuses.
const (
	Open   Status = "buka"
	Closed Status = "tutup"
)

// Label is the status as the UI shows it.
func (s Status) Label() string {
	if s == Closed {
		return "Ditutup"
	}
	return "Dibuka"
}

// Survey is one unit's survey of one kind in one year: {_id: "2026/ikm/sukamaju", …}. Its
// responses live in numbered buckets (see Store); Seq counts them and Rev counts the changes
// that alter the result without a response (the admin including flagged responses back).
type Survey struct {
	ID         string `bson:"_id" json:"id"`
	Period     int    `bson:"period" json:"period"`
	Unit       string `bson:"unit" json:"unit"`
	Kind       Kind   `bson:"kind" json:"kind"`
	Instrument string `bson:"instrument" json:"instrument"`
	Service    string `bson:"service" json:"service"`
	Population int    `bson:"population" json:"population"`
	Status     Status `bson:"status" json:"status"`
	// Token is the public form's key (/survei/{token}); KioskKey opens kiosk mode on a
	// counter tablet. Both are shown to the unit's managers only.
	Token    string `bson:"token" json:"-"`
	KioskKey string `bson:"kiosk_key" json:"-"`
	Seq      int64  `bson:"seq" json:"responses"`
	Rev      int64  `bson:"rev" json:"rev"`
	// Included are flagged responses (by seq) the admin counted back in.
	Included  []int64    `bson:"included,omitempty" json:"included"`
	CreatedBy string     `bson:"created_by" json:"created_by"`
	CreatedAt time.Time  `bson:"created_at" json:"created_at"`
	ClosedAt  *time.Time `bson:"closed_at,omitempty" json:"closed_at,omitempty"`
	// Applied is the state last written to the assessment (see Service.Sync).
	Applied Applied `bson:"applied" json:"applied"`
}

// Applied records the last time the survey's result was brought to its assessment: the
// responses (Seq) and decisions (Rev) it reflected, and why it was not written when it was
// not (the sheet final, no assessment).
type Applied struct {
	Seq     int64     `bson:"seq" json:"responses"`
	Rev     int64     `bson:"rev" json:"rev"`
	At      time.Time `bson:"at,omitempty" json:"at,omitempty"`
	Pending string    `bson:"pending,omitempty" json:"pending,omitempty"`
}

// Form returns the survey's questionnaire.
func (s *Survey) Form() *Form { return FormOf(s.Kind) }

// ID builds a survey's id.
func ID(year int, k Kind, unit string) string { return fmt.Sprintf("%d/%s/%s", year, k, unit) }

// ParseID splits a survey id.
func ParseID(id string) (year int, k Kind, unit string, ok bool) {
	parts := strings.Split(id, "/")
	if len(parts) != 3 {
		return 0, "", "", false
	}
	y, err := strconv.Atoi(parts[0])
	if err != nil || !Kind(parts[1]).Valid() {
		return 0, "", "", false
	}
	return y, Kind(parts[1]), parts[2], true
}

// Profile is the respondent's identity the official form asks, all optional: age in years (0:
// not given), sex, education and occupation (keys of Genders, Educations, Jobs).
type Profile struct {
	Age       int    `bson:"age,omitempty" json:"umur,omitempty"`
	Gender    string `bson:"jk,omitempty" json:"jenis_kelamin,omitempty"`
	Education string `bson:"edu,omitempty" json:"pendidikan,omitempty"`
	Job       string `bson:"job,omitempty" json:"pekerjaan,omitempty"`
}

// Response is one questionnaire as stored: answers by question in the form's order (Blank
// where the respondent left one out), the profile, the suggestion (plain text, shown escaped),
// and what the safeguards judge: the device (a random id in a cookie of the respondent's
// browser; empty through the API), kiosk mode, the form's ticket (a double submission of one
// form is stored once) and the seconds between serving the form and receiving it (-1 when
// unknown: no ticket).
type Response struct {
	Seq     int64     `bson:"seq"`
	At      time.Time `bson:"at"`
	Answers []int     `bson:"a"`
	Profile Profile   `bson:"p"`
	Saran   string    `bson:"s,omitempty"`
	Device  string    `bson:"d,omitempty"`
	Kiosk   bool      `bson:"k,omitempty"`
	Ticket  string    `bson:"t,omitempty"`
	Seconds int       `bson:"dur"`
}

// Blank is an answer left out.
const Blank = -1

// Input is a respondent's questionnaire as sent: answers by question key (nil: left blank),
// the profile and the suggestion.
type Input struct {
	Answers map[string]*int
	Profile Profile
	Saran   string
}

// Validate checks an input against form f and returns the answers in the form's order.
// Errors are Invalid and name the field: an unknown question, an answer out of the form's
// range, a questionnaire without a single answer, a profile value not on the form, a
// suggestion too long or not text.
func (in Input) Validate(f *Form) ([]int, error) {
	out := make([]int, len(f.Questions))
	for i := range out {
		out[i] = Blank
	}
	answered := 0
	for k, v := range in.Answers {
		i := f.index(k)
		if i < 0 {
			return nil, apperr.New(apperr.Invalid, "Kolom answers.%s: pertanyaan %q tidak ada pada kuesioner %s.", clipKey(k), clipKey(k), f.Kind.Short())
		}
		if v == nil {
			continue
		}
		if *v < f.Min || *v > f.Max {
			return nil, apperr.New(apperr.Invalid, "Kolom answers.%s: jawaban harus bilangan bulat %d–%d, bukan %d.", k, f.Min, f.Max, *v)
		}
		out[i] = *v
		answered++
	}
	if answered == 0 {
		return nil, apperr.New(apperr.Invalid, "Kolom answers: jawab setidaknya satu pertanyaan.")
	}
	p := in.Profile
	if p.Age != 0 && (p.Age < MinAge || p.Age > MaxAge) {
		return nil, apperr.New(apperr.Invalid, "Kolom respondent.umur: umur harus %d–%d tahun.", MinAge, MaxAge)
	}
	for _, c := range []struct {
		field, v string
		cs       []Choice
	}{{"jenis_kelamin", p.Gender, Genders}, {"pendidikan", p.Education, Educations}, {"pekerjaan", p.Job, Jobs}} {
		if c.v != "" && labelOf(c.cs, c.v) == "" {
			return nil, apperr.New(apperr.Invalid, "Kolom respondent.%s: pilihan %q tidak ada pada kuesioner.", c.field, clipKey(c.v))
		}
	}
	if !utf8.ValidString(in.Saran) || utf8.RuneCountInString(in.Saran) > MaxSuggestion {
		return nil, apperr.New(apperr.Invalid, "Kolom saran terlalu panjang (maksimal %d karakter).", MaxSuggestion)
	}
	return out, nil
}

// CleanSuggestion keeps a suggestion as plain text: trimmed, control characters but line
// breaks and tabs removed. It is stored as written otherwise and escaped wherever shown (HTML
// templates, XLSX cells as strings), so markup in it stays inert.
func CleanSuggestion(s string) string {
	s = strings.Map(func(r rune) rune {
		if r == '\n' || r == '\t' {
			return r
		}
		if unicode.IsControl(r) {
			return -1
		}
		return r
	}, s)
	return strings.TrimSpace(s)
}

// clipKey shortens a key quoted back in an error.
func clipKey(s string) string {
	if utf8.RuneCountInString(s) > 20 {
		r := []rune(s)
		return string(r[:20]) + "…"
	}
	return s
}

// ParseJSONAnswer reads one answer of the API: null, or an integer written as one (3, not
// 3.0, "3" or 3.5). Errors: Invalid naming the field.
func ParseJSONAnswer(field string, raw json.RawMessage) (*int, error) {
	t := strings.TrimSpace(string(raw))
	if t == "null" {
		return nil, nil
	}
	n, err := strconv.Atoi(t)
	if err != nil || len(t) > 6 {
		return nil, apperr.New(apperr.Invalid, "Kolom %s: jawaban harus bilangan bulat atau null, bukan %s.", field, clipKey(t))
	}
	return &n, nil
}

// ParseFormAnswer reads one answer of the page's form: empty (not chosen) or an integer.
// Errors: Invalid naming the field.
func ParseFormAnswer(field, v string) (*int, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return nil, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || len(v) > 6 {
		return nil, apperr.New(apperr.Invalid, "Kolom %s: jawaban harus bilangan bulat, bukan %q.", field, clipKey(v))
	}
	return &n, nil
}
