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
