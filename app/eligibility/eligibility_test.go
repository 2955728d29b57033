package eligibility

import (
	"encoding/json"
	"testing"

	"github.com/rapor-rb/raporrb/app/apperr"
	"github.com/rapor-rb/raporrb/app/instrument"
	"github.com/rapor-rb/raporrb/seed/instruments"
)

func zi(t *testing.T) *instrument.Instrument {
	t.Helper()
	cat, err := instrument.LoadFS(instruments.FS)
	if err != nil {
		t.Fatal(err)
	}
	in, _ := cat.Get("zi-2021")
	return in
}

func n(x float64) *float64 { return &x }

// The checklist of the 2024 ZI portal copy: a kabupaten with WTP, SPIP 3, SAKIP 65 and Indeks RB
// 55 passes WBK's conditions but not WBBM's (BB > 70, B > 60); WBBM also needs WBK two years
// before; a fact not entered is "belum diisi", not a failure.
func TestEvaluate(t *testing.T) {
	t.Parallel()
	in := zi(t)
	f := &Facts{Values: map[string]Value{
		"opini_bpk": {Option: "WTP"}, "maturitas_spip": {Number: n(3)}, "nilai_sakip": {Number: n(65)}, "indeks_rb": {Number: n(55)},
	}, Units: []UnitFacts{{Unit: "a", Values: map[string]Value{"tindak_lanjut_temuan": {Number: n(100)}, "laporan_survei": {Option: "Ada"}}},
		{Unit: "b", Values: map[string]Value{"tindak_lanjut_temuan": {Number: n(99.5)}}}}}
	status := func(r *Report, pred string) map[string]Status {
		out := map[string]Status{}
		for _, l := range r.Lists {
			if l.Predicate == pred {
				for _, it := range l.Items {
					out[it.Text] = it.Status
				}
			}
		}
		return out
	}
	r := Evaluate(in, f, "a", 2026, map[string]int{"WBK": 2024})
	if r == nil || r.Confirmed || r.Source == "" || len(r.Lists) != 2 {
		t.Fatalf("report = %+v", r)
	}
	for _, l := range r.Lists {
		switch l.Predicate {
		case "WBK":
			if !l.Met || l.Missing != 0 || len(l.Items) != 6 {
				t.Errorf("WBK for a: %+v", l)
			}
		case "WBBM":
			if l.Met || l.Missing != 2 || len(l.Items) != 7 {
				t.Errorf("WBBM for a: %+v", l)
			}
		}
	}
	wbbm := status(r, "WBBM")
	if wbbm["Nilai SAKIP kabupaten minimal BB (di atas 70)"] != Unmet || wbbm["Indeks RB kabupaten minimal B (di atas 60)"] != Unmet ||
		wbbm["Unit telah berpredikat WBK sekurang-kurangnya dua tahun"] != Met {
		t.Errorf("WBBM for a: %v", wbbm)
	}
	// b: 99.5% follow-up fails, no survey report entered; WBK only a year ago.
	b := Evaluate(in, f, "b", 2026, map[string]int{"WBK": 2025})
	wbk, wbbm := status(b, "WBK"), status(b, "WBBM")
	if wbk["Seluruh temuan pemeriksaan unit telah ditindaklanjuti (100%)"] != Unmet ||
		wbk["Unit memiliki laporan survei persepsi antikorupsi dan kualitas pelayanan"] != NotKnown ||
		wbbm["Unit telah berpredikat WBK sekurang-kurangnya dua tahun"] != Unmet {
		t.Errorf("b: WBK %v, WBBM %v", wbk, wbbm)
	}
	// Nothing entered: every fact "belum diisi".
	for _, l := range Evaluate(in, nil, "a", 2026, nil).Lists {
		for _, it := range l.Items {
			if it.Level != LevelHistory && it.Status != NotKnown {
				t.Errorf("nothing entered: %s is %s", it.Text, it.Status)
			}
		}
	}
	// The SAKIP boundary is strict and exact: 60 is not above 60, 60.01 is.
	for _, tt := range []struct {
		sakip float64
		want  Status
	}{{60, Unmet}, {60.01, Met}} {
		f.Values["nilai_sakip"] = Value{Number: n(tt.sakip)}
		if got := status(Evaluate(in, f, "a", 2026, nil), "WBK")["Nilai SAKIP kabupaten minimal B (di atas 60)"]; got != tt.want {
			t.Errorf("SAKIP %v: %s, want %s", tt.sakip, got, tt.want)
		}
	}
	if Evaluate(&instrument.Instrument{ID: "x"}, f, "a", 2026, nil) != nil {
		t.Error("an instrument without a checklist has a report")
	}
}

func TestParseValues(t *testing.T) {
	t.Parallel()
	e := zi(t).Eligibility
	got, err := ParseValues(e, instrument.LevelKabupaten, map[string]any{
		"opini_bpk": "WTP", "maturitas_spip": json.Number("3"), "nilai_sakip": "67,5", "indeks_rb": "",
	})
	if err != nil || got["opini_bpk"].Option != "WTP" || *got["maturitas_spip"].Number != 3 || *got["nilai_sakip"].Number != 67.5 {
		t.Fatalf("ParseValues = %+v, %v", got, err)
	}
	if _, ok := got["indeks_rb"]; ok {
		t.Error("an empty value is entered")
	}
	for _, tt := range []struct {
		level string
		raw   map[string]any
		want  string
	}{
		{instrument.LevelKabupaten, map[string]any{"opini_bpk": "Baik"}, `Opini BPK atas laporan keuangan pemerintah kabupaten: pilih salah satu dari WTP, WDP, TW, TMP, bukan "Baik".`},
		{instrument.LevelKabupaten, map[string]any{"maturitas_spip": 6.0}, "Tingkat maturitas SPIP pemerintah kabupaten (1-5) harus antara 1 dan 5, bukan 6."},
		{instrument.LevelKabupaten, map[string]any{"nilai_sakip": "tinggi"}, `Nilai SAKIP pemerintah kabupaten (hasil evaluasi KemenPANRB, 0-100) harus berupa angka, bukan "tinggi".`},
		{instrument.LevelKabupaten, map[string]any{"tindak_lanjut_temuan": 100.0}, `Data "tindak_lanjut_temuan" tidak dikenal pada tingkat kabupaten.`},
		{instrument.LevelUnit, map[string]any{"tindak_lanjut_temuan": 101.0}, "Tindak lanjut temuan pemeriksaan (%) harus antara 0 dan 100, bukan 101."},
		{instrument.LevelUnit, map[string]any{"laporan_survei": 1.0}, "Laporan survei persepsi (antikorupsi dan kualitas pelayanan): pilih salah satu dari Ada, Belum ada."},
	} {
		_, err := ParseValues(e, tt.level, tt.raw)
		if !apperr.Is(err, apperr.Invalid) || apperr.Message(err) != tt.want {
			t.Errorf("%v: %v\n  want %s", tt.raw, err, tt.want)
		}
	}
}
