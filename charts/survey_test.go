package charts

import (
	"encoding/json"
	"reflect"
	"testing"
)

func TestSurveyBars(t *testing.T) {
	opt, err := SurveyBars("Nilai rata-rata per unsur", []ScoreBar{
		{"Persyaratan", ptr(3.67), false},
		{"Biaya/tarif", nil, false},
		{"Waktu penyelesaian", ptr(2.67), true},
	}, 1, 4)
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "survey_bars", opt)
	o := parse(t, opt)
	perUnit(t, o, 3, "Nilai rata-rata")
	// The first question is drawn on top (last), a gap where nobody answered.
	if got, want := values(o.Series[0]), []any{2.67, "-", 3.67}; !reflect.DeepEqual(got, want) {
		t.Errorf("values = %v, want %v", got, want)
	}
	if o.XAxis[0].Max != 4 || !reflect.DeepEqual(o.YAxis[0].Data, []string{"Waktu penyelesaian", "Biaya/tarif", "Persyaratan"}) {
		t.Errorf("axes = %+v %+v", o.XAxis, o.YAxis)
	}
	var s struct {
		Series []struct {
			Data []struct {
				ItemStyle struct{ Color string } `json:"itemStyle"`
			} `json:"data"`
		} `json:"series"`
	}
	if err := json.Unmarshal(opt, &s); err != nil {
		t.Fatal(err)
	}
	if s.Series[0].Data[0].ItemStyle.Color != weakColor || s.Series[0].Data[2].ItemStyle.Color == weakColor {
		t.Errorf("the weakest is not the one in red: %+v", s.Series[0].Data)
	}
}

func TestSampleGauge(t *testing.T) {
	for _, tc := range []struct {
		n, required, max int
		color            string
	}{{120, 333, 333, GradeColors[5]}, {333, 333, 333, GradeColors[0]}, {400, 333, 400, GradeColors[0]}, {0, 0, 1, GradeColors[5]}} {
		opt, err := SampleGauge("Responden terhitung", tc.n, tc.required)
		if err != nil {
			t.Fatal(err)
		}
		if tc.n == 120 {
			golden(t, "sample_gauge", opt)
		}
		var o struct {
			Series []struct {
				Type     string `json:"type"`
				Max      int    `json:"max"`
				Data     []item `json:"data"`
				Progress struct {
					ItemStyle struct{ Color string } `json:"itemStyle"`
				} `json:"progress"`
			} `json:"series"`
		}
		if err := json.Unmarshal(opt, &o); err != nil {
			t.Fatal(err)
		}
		g := o.Series[0]
		if g.Type != "gauge" || g.Max != tc.max || g.Data[0].Value != float64(tc.n) || g.Progress.ItemStyle.Color != tc.color {
			t.Errorf("%d of %d: %+v", tc.n, tc.required, g)
		}
	}
}
