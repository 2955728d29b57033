package scoring

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/rapor-rb/raporrb/app/apperr"
	"github.com/rapor-rb/raporrb/app/instrument"
)

// Answer is one indicator's answer: an option key for choice scales, or a number for
// percent/number scales. Exactly one of the two is set.
type Answer struct {
	Option string   `json:"option,omitempty"`
	Number *float64 `json:"number,omitempty"`
}

// Answers holds a unit's answers by indicator code; an absent code is not answered.
type Answers map[string]Answer

// Value is the answer's value in [0, 1] on scale s: the option's value, x/100 for a percent,
// x/max for a number. An answer that does not fit the scale is an apperr.Invalid error.
func Value(s instrument.Scale, a Answer) (float64, error) {
	v, problem := value(s, a)
	if problem != "" {
		return 0, apperr.New(apperr.Invalid, "%s.", capitalize(problem))
	}
	return v, nil
}

// value returns the answer's value, or a problem (a lower-case phrase in Bahasa Indonesia) that
// callers turn into a message naming the indicator.
func value(s instrument.Scale, a Answer) (float64, string) {
	switch {
	case a.Option == "" && a.Number == nil:
		return 0, "jawaban kosong"
	case a.Option != "" && a.Number != nil:
		return 0, "jawaban berisi pilihan dan angka sekaligus"
	}
	if s.Kind == instrument.KindChoice {
		if a.Number != nil {
			return 0, fmt.Sprintf("jawaban harus salah satu pilihan (%s), bukan angka", strings.Join(s.Keys(), ", "))
		}
		o, ok := s.Option(a.Option)
		if !ok {
			return 0, fmt.Sprintf("pilihan %q tidak ada; pilih salah satu dari %s", a.Option, strings.Join(s.Keys(), ", "))
		}
		return o.Value, ""
	}
	if a.Number == nil {
		return 0, fmt.Sprintf("jawaban harus berupa angka, bukan teks %q", a.Option)
	}
	x := *a.Number
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return 0, "nilai harus berupa angka yang sah"
	}
	switch s.Kind {
	case instrument.KindPercent:
		if x < 0 || x > 100 {
			return 0, fmt.Sprintf("persentase harus antara 0 dan 100, bukan %s", idNum(x))
		}
		return x / 100, ""
	case instrument.KindNumber:
		if s.Min == nil || s.Max == nil {
			return 0, "skala angka tanpa batas (instrumen tidak valid)"
		}
		if x < *s.Min || x > *s.Max {
			return 0, fmt.Sprintf("nilai harus antara %s dan %s, bukan %s", idNum(*s.Min), idNum(*s.Max), idNum(x))
		}
		// The catalog defines value = x/max (not (x-min)/(max-min)): IKM's NRR 1..4 maps to
		// 25..100, as the regulation's IKM = 25 × NRR does.
		return x / *s.Max, ""
	}
	return 0, fmt.Sprintf("jenis skala %q tidak dikenal", s.Kind)
}

// ValidateAnswer checks one answer against the indicator's scale. Errors are apperr.Invalid with
// a message in Bahasa Indonesia that names the indicator.
func ValidateAnswer(inst *instrument.Instrument, code string, a Answer) error {
	if _, ok := inst.Indicator(code); !ok {
		return unknownIndicator(inst, code)
	}
	if _, problem := value(inst.ScaleOf(code), a); problem != "" {
		return apperr.New(apperr.Invalid, "Indikator %s: %s.", code, problem)
	}
	return nil
}

// ParseAnswer turns one decoded JSON value into an Answer for the indicator: a string is an
// option key, a number (float64 or json.Number) is a number; anything else is apperr.Invalid.
func ParseAnswer(inst *instrument.Instrument, code string, raw any) (Answer, error) {
	if _, ok := inst.Indicator(code); !ok {
		return Answer{}, unknownIndicator(inst, code)
	}
	var a Answer
	switch v := raw.(type) {
	case string:
		a.Option = v
	case float64:
		a.Number = &v
	case json.Number:
		x, err := strconv.ParseFloat(string(v), 64)
		if err != nil {
			return Answer{}, apperr.New(apperr.Invalid, "Indikator %s: nilai %s bukan angka yang sah.", code, v)
		}
		a.Number = &x
	case int:
		x := float64(v)
		a.Number = &x
	case int64:
		x := float64(v)
		a.Number = &x
	default:
		return Answer{}, apperr.New(apperr.Invalid, "Indikator %s: jawaban harus berupa pilihan (teks) atau angka.", code)
	}
	if err := ValidateAnswer(inst, code, a); err != nil {
		return Answer{}, err
	}
	return a, nil
}

// ParseAnswers turns a decoded JSON object {code: "Ya" | 75, …} into validated Answers. Codes are
// checked in sorted order so the same input always reports the same first error.
func ParseAnswers(inst *instrument.Instrument, raw map[string]any) (Answers, error) {
	codes := make([]string, 0, len(raw))
	for code := range raw {
		codes = append(codes, code)
	}
	slices.Sort(codes)
	answers := make(Answers, len(raw))
	for _, code := range codes {
		a, err := ParseAnswer(inst, code, raw[code])
		if err != nil {
			return nil, err
		}
		answers[code] = a
	}
	return answers, nil
}

// validateAll checks every answer, in sorted code order for a deterministic first error.
func validateAll(inst *instrument.Instrument, answers Answers) error {
	codes := make([]string, 0, len(answers))
	for code := range answers {
		codes = append(codes, code)
	}
	slices.Sort(codes)
	for _, code := range codes {
		if err := ValidateAnswer(inst, code, answers[code]); err != nil {
			return err
		}
	}
	return nil
}

func unknownIndicator(inst *instrument.Instrument, code string) error {
	return apperr.New(apperr.Invalid, "Indikator %q tidak ada pada instrumen %s.", code, inst.ID)
}

// idNum prints a number the Indonesian way (decimal comma) for messages.
func idNum(x float64) string {
	return strings.Replace(strconv.FormatFloat(x, 'g', -1, 64), ".", ",", 1)
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// String is the answer as a person reads it: the option key, or the number with a decimal
// comma.
func (a Answer) String() string {
	if a.Number != nil {
		return idNum(*a.Number)
	}
	return a.Option
}
