package num

import (
	"math"
	"math/big"
	"strconv"
	"testing"
)

// Halves that binary floating point rounds the wrong way: math.Round(x*100)/100 gives the
// second column, a spreadsheet's ROUND (and this package) the third.
func TestRound2Halves(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		in, float, want float64
	}{
		{2.425, 2.42, 2.43},
		{5.905, 5.9, 5.91},
		{11.695, 11.69, 11.7},
		{74.995, 75, 75}, // float happens to agree here; the exact rule must too
		{88.305, 88.31, 88.31},
		{1.005, 1, 1.01},
		{-1.005, -1, -1.01},
		{0.125, 0.13, 0.13},
		{-0.125, -0.13, -0.13},
		{89.99999999999999, 90, 90},
		{90.00000000000001, 90, 90},
		{0, 0, 0},
	} {
		if got := Round2(tt.in); got != tt.want {
			t.Errorf("Round2(%v) = %v, want %v", tt.in, got, tt.want)
		}
		if f := math.Round(tt.in*100) / 100; f != tt.float {
			t.Logf("note: float rounding of %v gives %v (table says %v)", tt.in, f, tt.float)
		}
	}
}

func TestCentsOfRationals(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		r    *big.Rat
		want int64
	}{
		{big.NewRat(97, 40), 243},      // 2.425
		{big.NewRat(-97, 40), -243},    // −2.425
		{big.NewRat(1, 3), 33},         // 0.333…
		{big.NewRat(2, 3), 67},         // 0.666…
		{big.NewRat(14999, 200), 7500}, // 74.995
		{big.NewRat(14998, 200), 7499}, // 74.99
		{big.NewRat(1, 200), 1},        // 0.005
		{big.NewRat(-1, 200), -1},      // −0.005
		{big.NewRat(0, 1), 0},
	} {
		if got := Cents(tt.r); got != tt.want {
			t.Errorf("Cents(%s) = %d, want %d", tt.r.FloatString(6), got, tt.want)
		}
	}
}

func TestExactIsTheWrittenDecimal(t *testing.T) {
	t.Parallel()
	for in, want := range map[float64]string{
		0.67: "67/100", 2.425: "97/40", 74.995: "14999/200", 1e21: "1000000000000000000000/1", 3: "3/1",
	} {
		if got := Exact(in).String(); got != want {
			t.Errorf("Exact(%v) = %s, want %s", in, got, want)
		}
	}
	if Exact(math.NaN()).Sign() != 0 || Exact(math.Inf(1)).Sign() != 0 {
		t.Error("NaN and Inf must read as 0")
	}
}

func TestDerivedFigures(t *testing.T) {
	t.Parallel()
	if got := Mean([]float64{74.99, 75}); got != 75 { // 74.995 exactly
		t.Errorf("Mean(74.99, 75) = %v, want 75", got)
	}
	if got := Mean(nil); got != 0 {
		t.Errorf("Mean() = %v, want 0", got)
	}
	if got := Percent(0.97, 4); got != 24.25 {
		t.Errorf("Percent(0.97, 4) = %v, want 24.25", got)
	}
	if got := Percent(1, 8); got != 12.5 {
		t.Errorf("Percent(1, 8) = %v, want 12.5", got)
	}
	if got := Percent(1, 0); got != 0 {
		t.Errorf("Percent(1, 0) = %v, want 0", got)
	}
	if got := Diff(75.01, 70.005); got != 5.01 { // 5.005 exactly
		t.Errorf("Diff = %v, want 5.01", got)
	}
	if got := Product(0.6, 6.675); got != 4.01 { // 4.005 exactly
		t.Errorf("Product = %v, want 4.01", got)
	}
	a, b := 0.1, 0.2
	if Cmp(a+b, 0.3) != 1 || Cmp(0.3, 0.3) != 0 {
		t.Error("Cmp compares the written decimals")
	}
}

func TestPrinting(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		got, want string
	}{
		{ID2(74.995), "75,00"}, {ID2(2.425), "2,43"}, {ID2(-1.5), "-1,50"}, {ID2(0), "0,00"},
		{ID2(-0.004), "0,00"}, {ID(3.6), "3,6"}, {ID(75), "75"}, {Dot(3.6), "3.6"}, {Dot2(88.305), "88.31"},
		{RatID2(big.NewRat(97, 40)), "2,43"},
	} {
		if tt.got != tt.want {
			t.Errorf("got %q, want %q", tt.got, tt.want)
		}
	}
}

// The fast path agrees with the decimal string for every value it takes, and declines the others.
func TestHundredthsAgreesWithTheDecimal(t *testing.T) {
	t.Parallel()
	for _, x := range []float64{0, 0.01, 0.1, 0.29, 0.67, 1, 2.5, 15.75, 74.99, 88.31, 99.99, 123456.78, -3.25, 1e11 + 0.01} {
		c, ok := hundredths(x)
		if !ok {
			t.Errorf("hundredths(%v) declined", x)
			continue
		}
		slow, _ := new(big.Rat).SetString(strconv.FormatFloat(x, 'g', -1, 64))
		if big.NewRat(c, 100).Cmp(slow) != 0 {
			t.Errorf("hundredths(%v) = %d, the decimal is %s", x, c, slow.FloatString(4))
		}
	}
	for _, x := range []float64{2.425, 0.125, 1.0005, 1e13, math.NaN(), math.Inf(1), 1.0 / 3} {
		if _, ok := hundredths(x); ok {
			t.Errorf("hundredths(%v) took a value with more than two decimals (or none)", x)
		}
	}
}

// Counts read as Indonesians write them: a dot between thousands.
func TestCount(t *testing.T) {
	for n, want := range map[int64]string{0: "0", 999: "999", 1500: "1.500", 2500: "2.500", 10000000: "10.000.000", -1200: "-1.200"} {
		if got := Count(n); got != want {
			t.Errorf("Count(%d) = %q, want %q", n, got, want)
		}
	}
}
