package charts

import (
	"encoding/json"
	"testing"
)

// Every builder gives a valid option for no units and for one, with each series holding one
// item per unit.
func TestNoUnits(t *testing.T) {
	for _, tt := range []struct {
		name   string
		build  func() (json.RawMessage, error)
		series []string
	}{
		{"RankedBars", func() (json.RawMessage, error) { return RankedBars("x", nil, 100, nil) }, []string{"Nilai"}},
		{"SelfVsFinal", func() (json.RawMessage, error) { return SelfVsFinal("x", nil, 100) }, []string{"Penilaian mandiri", "Nilai akhir"}},
		{"Radar", func() (json.RawMessage, error) { return Radar("x", radarAxes, nil) }, nil},
		{"Heatmap", func() (json.RawMessage, error) { return Heatmap("x", nil, []string{"P"}, nil) }, []string{"% dari nilai maksimum"}},
		{"Trend", func() (json.RawMessage, error) { return Trend("x", []int{2026}, nil, 100, []Threshold{{"WBK", 75}}) }, nil},
		{"Progress", func() (json.RawMessage, error) { return Progress("x", nil) }, []string{"Dijawab", "Berbukti", "Direviu"}},
		{"Composite", func() (json.RawMessage, error) {
			return Composite("x", nil, []CompositePart{{"ZI", nil}, {"IKM", nil}})
		}, []string{"ZI", "IKM"}},
		{"Composite tanpa instrumen", func() (json.RawMessage, error) { return Composite("x", nil, nil) }, nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			raw, err := tt.build()
			if err != nil {
				t.Fatal(err)
			}
			var m map[string]any
			if err := json.Unmarshal(raw, &m); err != nil {
				t.Fatalf("not JSON: %v", err)
			}
			if s, ok := m["series"].([]any); !ok {
				t.Errorf("series = %#v, want an array", m["series"])
			} else if len(s) != len(tt.series) {
				t.Errorf("%d series, want %d", len(s), len(tt.series))
			}
			perUnit(t, parse(t, raw), 0, tt.series...)
		})
	}
}

func TestOneUnit(t *testing.T) {
	for _, tt := range []struct {
		name   string
		build  func() (json.RawMessage, error)
		series []string
	}{
		{"Radar", func() (json.RawMessage, error) {
			return Radar("x", radarAxes, []RadarSeries{{"A", []float64{1, 2, 3}}})
		}, []string{"A"}},
		{"Trend", func() (json.RawMessage, error) {
			return Trend("x", []int{2026}, []TrendLine{{"A", []*float64{nil}}}, 100, nil)
		}, []string{"A"}},
		{"Progress", func() (json.RawMessage, error) { return Progress("x", []ProgressRow{{"A", 1, 1, 1, 2}}) }, []string{"Dijawab", "Berbukti", "Direviu"}},
		{"Composite", func() (json.RawMessage, error) {
			return Composite("x", []string{"A"}, []CompositePart{{"ZI", []float64{40}}})
		}, []string{"ZI"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			raw, err := tt.build()
			if err != nil {
				t.Fatal(err)
			}
			perUnit(t, parse(t, raw), 1, tt.series...)
		})
	}
	raw, err := Heatmap("x", []string{"A"}, []string{"P", "Q"}, [][]float64{{10, 20}})
	if err != nil {
		t.Fatal(err)
	}
	if o := parse(t, raw); len(o.Series) != 1 || len(o.Series[0].Data) != 2 {
		t.Errorf("heatmap of one unit = %+v", o.Series)
	}
}
