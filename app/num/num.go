// Package num is the one place where Rapor RB rounds and prints numbers. Every official figure
// (node scores, totals, the composite index, IKM, percentages on the dashboard, exports) is
// rounded to 2 decimals half away from zero on its exact decimal value, as a spreadsheet's ROUND
// does in the LKE workbooks: a node worth exactly 2.425 is 2.43 and a total worth exactly 74.995
// is 75.00. Binary floating point cannot do that by itself (2.425 is stored as 2.42499…), so
// values are carried as exact rationals (math/big.Rat) and only the rounded result becomes a
// float64.
//
// The exact value of a float64 input is the decimal it was written as: its shortest decimal
// representation (strconv's 'g', -1), which is what a person typed in a sheet or a YAML file
// (0.67 → 67/100, 74.995 → 74995/1000). A float64 holding a rounded 2-decimal value converts
// back to exactly that value, so rounded figures can be summed and compared exactly too.
//
// Printing follows Indonesian conventions: a decimal comma and no grouping separator (scores
// stay below 1 000).
package num

import (
	"fmt"
	"math"
	"math/big"
	"strconv"
	"strings"

	"golang.org/x/text/language"
	"golang.org/x/text/message"
	"golang.org/x/text/number"
)

// Exact returns the exact value of x's shortest decimal representation. NaN and ±Inf have no
// decimal value; they return 0 (callers validate their inputs before scoring).
func Exact(x float64) *big.Rat {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return new(big.Rat)
	}
	if c, ok := hundredths(x); ok {
		return big.NewRat(c, 100)
	}
	r, ok := new(big.Rat).SetString(strconv.FormatFloat(x, 'g', -1, 64))
	if !ok { // cannot happen: FormatFloat always writes a number SetString reads
		panic(fmt.Sprintf("num: cannot read %v as a decimal", x))
	}
	return r
}

// Cents rounds r to hundredths, half away from zero, and returns the hundredths: 2.425 → 243,
// −0.125 → −13.
func Cents(r *big.Rat) int64 {
	// |r| × 100 + 1/2, floored, with r's sign.
	n := new(big.Int).Mul(r.Num(), big.NewInt(100))
	neg := n.Sign() < 0
	n.Abs(n)
	d := r.Denom()
	n.Mul(n, big.NewInt(2)).Add(n, d)
	n.Quo(n, new(big.Int).Mul(d, big.NewInt(2)))
	if neg {
		n.Neg(n)
	}
	return n.Int64()
}

// FromCents is the float64 nearest to c hundredths: the value a 2-decimal figure is carried in.
func FromCents(c int64) float64 { return float64(c) / 100 }

// Round rounds r to 2 decimals, half away from zero, returning the float64 nearest to the
// rounded value.
func Round(r *big.Rat) float64 { return FromCents(Cents(r)) }

// Round2 rounds the exact decimal value of x to 2 decimals, half away from zero: Round2(2.425)
// is 2.43 and Round2(74.995) is 75. Use it for a figure that is already a plain decimal; a
// figure computed from others (a mean, a ratio, a weighted sum) must be computed exactly first
// (see Mean, Percent, Diff) or with Exact and big.Rat, then rounded once with Round.
func Round2(x float64) float64 { return Round(Exact(x)) }

// CentsOf is the hundredths of Round2(x).
func CentsOf(x float64) int64 {
	if c, ok := hundredths(x); ok {
		return c
	}
	return Cents(Exact(x))
}

// hundredths is the fast path for the values most often met (rounded scores, option values, whole
// numbers): when x is the float64 nearest to c/100 for a whole c, its shortest decimal
// representation is c/100 (below 1e12 a float's spacing is under 0.001, so no other number of
// at most two decimals maps to the same float), and ok is true.
func hundredths(x float64) (int64, bool) {
	if !(math.Abs(x) < 1e12) {
		return 0, false
	}
	c := math.Round(x * 100)
	if c/100 != x {
		return 0, false
	}
	return int64(c), true
}

// Sum returns the exact sum of the decimal values of xs.
func Sum(xs ...float64) *big.Rat {
	s := new(big.Rat)
	for _, x := range xs {
		s.Add(s, Exact(x))
	}
	return s
}

// Mean is the exact mean of xs rounded to 2 decimals; 0 for no values.
func Mean(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := Sum(xs...)
	return Round(s.Quo(s, new(big.Rat).SetInt64(int64(len(xs)))))
}

// Percent is part / whole × 100, computed exactly and rounded to 2 decimals; 0 when whole is 0.
func Percent(part, whole float64) float64 {
	if whole == 0 {
		return 0
	}
	r := new(big.Rat).Quo(Exact(part), Exact(whole))
	return Round(r.Mul(r, big.NewRat(100, 1)))
}

// PercentOf is part / whole × 100 for an exact whole (an area's points), rounded to 2 decimals; 0
// when whole is 0.
func PercentOf(part float64, whole *big.Rat) float64 {
	if whole.Sign() == 0 {
		return 0
	}
	r := new(big.Rat).Quo(Exact(part), whole)
	return Round(r.Mul(r, big.NewRat(100, 1)))
}

// Ratio is part / whole as an exact rational; nil when whole is 0.
func Ratio(part, whole float64) *big.Rat {
	if whole == 0 {
		return nil
	}
	return new(big.Rat).Quo(Exact(part), Exact(whole))
}

// Diff is a − b, computed exactly and rounded to 2 decimals.
func Diff(a, b float64) float64 {
	r := Exact(a)
	return Round(r.Sub(r, Exact(b)))
}

// Product is a × b, computed exactly and rounded to 2 decimals.
func Product(a, b float64) float64 {
	r := Exact(a)
	return Round(r.Mul(r, Exact(b)))
}

// Cmp compares the exact decimal values of a and b: −1, 0 or +1.
func Cmp(a, b float64) int { return Exact(a).Cmp(Exact(b)) }

// ID2 prints x rounded to 2 decimals with a decimal comma, as every score is shown: "75,00",
// "2,43", "-1,50".
func ID2(x float64) string { return centsText(CentsOf(x)) }

// RatID2 prints r rounded to 2 decimals with a decimal comma.
func RatID2(r *big.Rat) string { return centsText(Cents(r)) }

func centsText(c int64) string {
	sign := ""
	if c < 0 {
		sign, c = "-", -c
	}
	return fmt.Sprintf("%s%d,%02d", sign, c/100, c%100)
}

// ID prints x as written (shortest decimal representation) with a decimal comma: "3,6", "75",
// "0,125". For answers and settings, which are shown as entered, not rounded.
func ID(x float64) string {
	return strings.Replace(strconv.FormatFloat(x, 'f', -1, 64), ".", ",", 1)
}

// Count prints a whole count the Indonesian way, with a dot between thousands: 2.500,
// 10.000.000 (golang.org/x/text's number formatting for Bahasa Indonesia).
func Count(n int64) string { return countPrinter.Sprint(number.Decimal(n)) }

var countPrinter = message.NewPrinter(language.Indonesian)

// Dot prints x as written with a decimal point ("3.6"): for machine-read text such as a
// comma-separated CSV or an HTML input's value.
func Dot(x float64) string { return strconv.FormatFloat(x, 'f', -1, 64) }

// Dot2 prints x rounded to 2 decimals with a decimal point: "75.00".
func Dot2(x float64) string { return strings.Replace(ID2(x), ",", ".", 1) }
