package charts

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

func golden(t *testing.T, name string, got json.RawMessage) {
	t.Helper()
	var v any
	if err := json.Unmarshal(got, &v); err != nil {
		t.Fatal(err)
	}
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join("testdata", name+".golden.json")
	if *update {
		if err := os.WriteFile(path, append(b, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./charts -update)", err)
	}
	if string(want) != string(b)+"\n" {
		t.Errorf("%s differs from the golden file; run go test ./charts -update if the change is intended\n%s", path, b)
	}
}

func TestRankedBars(t *testing.T) {
	opt, err := RankedBars("Zona Integritas", []RankedBar{
		{"Tanjungsari", 90.02, 0, true},
		{"Sukamaju", 71.5, 2, false},
		{"Wanasari", 60.25, 3, true},
	}, 100, []Threshold{{"WBK", 75}, {"WBBM", 85}})
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "ranked_bars", opt)

	// Rank 1 is drawn on top: ECharts puts the last category there.
	var o struct{ Series []json.RawMessage }
	if err := json.Unmarshal(opt, &o); err != nil || len(o.Series) != 1 {
		t.Fatalf("series = %v, %v", o.Series, err)
	}
	var s struct {
		Data []struct {
			Name      string                 `json:"name"`
			Value     float64                `json:"value"`
			ItemStyle struct{ Color string } `json:"itemStyle"`
		} `json:"data"`
		MarkLine struct {
			Data []struct{ XAxis float64 } `json:"data"`
		} `json:"markLine"`
	}
	if err := json.Unmarshal(o.Series[0], &s); err != nil {
		t.Fatal(err)
	}
	if len(s.Data) != 3 || s.Data[2].Name != "Tanjungsari" || s.Data[0].Name != "Wanasari" {
		t.Errorf("order = %+v", s.Data)
	}
	if s.Data[1].ItemStyle.Color != selfColor || s.Data[2].ItemStyle.Color != GradeColors[0] {
		t.Errorf("colours = %+v", s.Data)
	}
	if len(s.MarkLine.Data) != 2 || s.MarkLine.Data[0].XAxis != 75 {
		t.Errorf("thresholds = %+v", s.MarkLine)
	}
}

// option is the part of an ECharts option the tests read.
type option struct {
	Legend struct {
		Data []string `json:"data"`
	} `json:"legend"`
	XAxis     []axis `json:"xAxis"`
	YAxis     []axis `json:"yAxis"`
	VisualMap []struct {
		Min, Max float64
	} `json:"visualMap"`
	Radar struct {
		Indicator []struct {
			Name string
			Max  float64
		} `json:"indicator"`
	} `json:"radar"`
	Series []series `json:"series"`
}

type axis struct {
	Type string   `json:"type"`
	Data []string `json:"data"`
	Max  float64  `json:"max"`
}

type series struct {
	Name     string `json:"name"`
	Type     string `json:"type"`
	Stack    string `json:"stack"`
	Data     []item `json:"data"`
	MarkLine *struct {
		Data []struct {
			Name  string  `json:"name"`
			YAxis float64 `json:"yAxis"`
		} `json:"data"`
	} `json:"markLine"`
}

// item is a data item: {name, value} where value is a number, "-", or an array.
type item struct {
	Name  string `json:"name"`
	Value any    `json:"value"`
}

func parse(t *testing.T, raw json.RawMessage) option {
	t.Helper()
	var o option
	if err := json.Unmarshal(raw, &o); err != nil {
		t.Fatalf("option is not valid JSON: %v\n%s", err, raw)
	}
	return o
}

// perUnit checks that o has the named series in order, each holding exactly one item per unit.
func perUnit(t *testing.T, o option, units int, names ...string) {
	t.Helper()
	if len(o.Series) != len(names) {
		t.Fatalf("%d series, want %d (%v)", len(o.Series), len(names), names)
	}
	for i, s := range o.Series {
		if s.Name != names[i] {
			t.Errorf("series %d = %q, want %q", i, s.Name, names[i])
		}
		if len(s.Data) != units {
			t.Errorf("series %q has %d items, want %d", s.Name, len(s.Data), units)
		}
	}
}

// values returns the values of a series' items, in drawing order.
func values(s series) []any {
	v := make([]any, len(s.Data))
	for i, d := range s.Data {
		v[i] = d.Value
	}
	return v
}

// names returns the names of a series' items, in drawing order.
func names(s series) []string {
	n := make([]string, len(s.Data))
	for i, d := range s.Data {
		n[i] = d.Name
	}
	return n
}

func ptr(v float64) *float64 { return &v }
