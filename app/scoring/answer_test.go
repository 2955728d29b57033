package scoring

import (
	"encoding/json"
	"math"
	"strings"
	"testing"

	"github.com/rapor-rb/raporrb/app/apperr"
)

func TestValue(t *testing.T) {
	zi, ikm := sheet(t, "zi-2021"), sheet(t, "ikm-2017")
	for _, tt := range []struct {
		name string
		code string
		a    Answer
		want float64
	}{
		{"yn Ya", "P.MP.PM.1.a", opt("Ya"), 1},
		{"abcd B", "P.MP.PM.3.a", opt("B"), 0.67},
		{"percent 75", "P.MP.RF.1.a", number(75), 0.75},
		{"survey 3.6 of 4", "H.BA.IPAK.a", number(3.6), 0.9},
	} {
		got, err := Value(zi.ScaleOf(tt.code), tt.a)
		if err != nil || got != tt.want {
			t.Errorf("%s: Value = %v, %v; want %v", tt.name, got, err, tt.want)
		}
	}
	// value = x/max, not (x-min)/(max-min): NRR 1 of 1..4 is 0.25, so IKM starts at 25.
	if got, err := Value(ikm.ScaleOf("IKM.U1"), number(1)); err != nil || got != 0.25 {
		t.Errorf("Value(NRR 1) = %v, %v; want 0.25", got, err)
	}
	if _, err := Value(zi.ScaleOf("P.MP.RF.1.a"), number(101)); !apperr.Is(err, apperr.Invalid) {
		t.Errorf("Value(percent 101) err = %v, want Invalid", err)
	}
}

func TestValidateAnswer(t *testing.T) {
	zi := sheet(t, "zi-2021")
	for _, tt := range []struct {
		name string
		id   string
		code string
		a    Answer
		want string // the whole message
	}{
		{"unknown indicator", "zi-2021", "P.XX.1.a", opt("Ya"), `Indikator "P.XX.1.a" tidak ada pada instrumen zi-2021.`},
		{"an area is not an indicator", "zi-2021", "P.MP", opt("Ya"), `Indikator "P.MP" tidak ada pada instrumen zi-2021.`},
		{"unknown option", "zi-2021", "P.MP.PM.1.a", opt("Mungkin"), `Indikator P.MP.PM.1.a: pilihan "Mungkin" tidak ada; pilih salah satu dari Ya, Tidak.`},
		{"option keys are case-sensitive", "zi-2021", "P.MP.PM.1.a", opt("ya"), `Indikator P.MP.PM.1.a: pilihan "ya" tidak ada; pilih salah satu dari Ya, Tidak.`},
		{"number for a choice scale", "zi-2021", "P.MP.PM.1.b", number(1), `Indikator P.MP.PM.1.b: jawaban harus salah satu pilihan (A, B, C), bukan angka.`},
		{"percent 101", "zi-2021", "P.MP.RF.1.a", number(101), `Indikator P.MP.RF.1.a: persentase harus antara 0 dan 100, bukan 101.`},
		{"percent -0.5", "zi-2021", "P.MP.RF.1.a", number(-0.5), `Indikator P.MP.RF.1.a: persentase harus antara 0 dan 100, bukan -0,5.`},
		{"string for a percent", "zi-2021", "P.MP.RF.1.a", opt("75"), `Indikator P.MP.RF.1.a: jawaban harus berupa angka, bukan teks "75".`},
		{"survey above 4", "zi-2021", "H.BA.IPAK.a", number(4.01), `Indikator H.BA.IPAK.a: nilai harus antara 0 dan 4, bukan 4,01.`},
		{"NRR below 1", "ikm-2017", "IKM.U1", number(0.5), `Indikator IKM.U1: nilai harus antara 1 dan 4, bukan 0,5.`},
		{"IPP above 5", "pekppp-2022", "F02.KB.01.a", number(5.5), `Indikator F02.KB.01.a: nilai harus antara 0 dan 5, bukan 5,5.`},
		{"NaN", "zi-2021", "H.BA.IPAK.a", number(math.NaN()), `Indikator H.BA.IPAK.a: nilai harus berupa angka yang sah.`},
		{"Inf", "zi-2021", "P.MP.RF.1.a", number(math.Inf(1)), `Indikator P.MP.RF.1.a: nilai harus berupa angka yang sah.`},
		{"empty answer", "zi-2021", "P.MP.PM.1.a", Answer{}, `Indikator P.MP.PM.1.a: jawaban kosong.`},
		{"option and number", "zi-2021", "P.MP.RF.1.a", Answer{Option: "Ya", Number: number(1).Number}, `Indikator P.MP.RF.1.a: jawaban berisi pilihan dan angka sekaligus.`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			inst := sheet(t, tt.id)
			err := ValidateAnswer(inst, tt.code, tt.a)
			if !apperr.Is(err, apperr.Invalid) || apperr.Message(err) != tt.want {
				t.Errorf("ValidateAnswer() = %v\n                    want %s", err, tt.want)
			}
			// Score refuses the same answer, with the same message.
			if _, err := Score(inst, Answers{tt.code: tt.a}, nil); !apperr.Is(err, apperr.Invalid) || apperr.Message(err) != tt.want {
				t.Errorf("Score() err = %v, want %s", err, tt.want)
			}
		})
	}
	for _, ok := range []struct {
		code string
		a    Answer
	}{
		{"P.MP.RF.1.a", number(0)}, {"P.MP.RF.1.a", number(100)}, {"P.MP.RF.1.a", number(33.3)},
		{"H.BA.IPAK.a", number(0)}, {"H.BA.IPAK.a", number(4)}, {"P.MP.PM.1.a", opt("Tidak")},
	} {
		if err := ValidateAnswer(zi, ok.code, ok.a); err != nil {
			t.Errorf("ValidateAnswer(%s, %s) = %v, want nil", ok.code, fmtAnswer(ok.a), err)
		}
	}
}

func TestParseAnswers(t *testing.T) {
	zi := sheet(t, "zi-2021")
	var raw map[string]any
	dec := json.NewDecoder(strings.NewReader(`{"P.MP.PM.1.a": "Ya", "P.MP.RF.1.a": 75, "H.BA.IPAK.a": 3.6}`))
	dec.UseNumber()
	if err := dec.Decode(&raw); err != nil {
		t.Fatal(err)
	}
	as, err := ParseAnswers(zi, raw)
	if err != nil {
		t.Fatalf("ParseAnswers() = %v", err)
	}
	if len(as) != 3 || as["P.MP.PM.1.a"].Option != "Ya" || *as["P.MP.RF.1.a"].Number != 75 || *as["H.BA.IPAK.a"].Number != 3.6 {
		t.Errorf("ParseAnswers() = %v", as)
	}
	// Plain json.Unmarshal gives float64.
	if as, err := ParseAnswers(zi, map[string]any{"P.MP.RF.1.a": 75.5}); err != nil || *as["P.MP.RF.1.a"].Number != 75.5 {
		t.Errorf("ParseAnswers(float64) = %v, %v", as, err)
	}

	for _, tt := range []struct {
		name string
		raw  map[string]any
		want string
	}{
		{"null", map[string]any{"P.MP.PM.1.a": nil}, "Indikator P.MP.PM.1.a: jawaban harus berupa pilihan (teks) atau angka."},
		{"bool", map[string]any{"P.MP.PM.1.a": true}, "Indikator P.MP.PM.1.a: jawaban harus berupa pilihan (teks) atau angka."},
		{"object", map[string]any{"P.MP.PM.1.a": map[string]any{"option": "Ya"}}, "Indikator P.MP.PM.1.a: jawaban harus berupa pilihan (teks) atau angka."},
		{"array", map[string]any{"P.MP.RF.1.a": []any{75.0}}, "Indikator P.MP.RF.1.a: jawaban harus berupa pilihan (teks) atau angka."},
		{"number too large for float64", map[string]any{"P.MP.RF.1.a": json.Number("1e400")}, "Indikator P.MP.RF.1.a: nilai 1e400 bukan angka yang sah."},
		{"unknown code wins over a bad value", map[string]any{"X.1": nil}, `Indikator "X.1" tidak ada pada instrumen zi-2021.`},
		{"string for a percent", map[string]any{"P.MP.RF.1.a": "75"}, `Indikator P.MP.RF.1.a: jawaban harus berupa angka, bukan teks "75".`},
		{"first error in code order", map[string]any{"P.MP.RF.1.a": 101.0, "H.BA.IPAK.a": 5.0}, "Indikator H.BA.IPAK.a: nilai harus antara 0 dan 4, bukan 5."},
	} {
		t.Run(tt.name, func(t *testing.T) {
			as, err := ParseAnswers(zi, tt.raw)
			if !apperr.Is(err, apperr.Invalid) || apperr.Message(err) != tt.want {
				t.Errorf("ParseAnswers() = %v, %v\nwant error %s", as, err, tt.want)
			}
		})
	}
}
