package demo

import (
	"fmt"

	"github.com/rapor-rb/raporrb/app/account"
	"github.com/rapor-rb/raporrb/app/unit"
)

// Kabupaten is the code of the demo kabupaten, the parent of every demo kecamatan.
const Kabupaten = "kab-contoh"

// kabupatenName says "data contoh" in the name itself, because the unit document has no
// description and a screenshot must never pass for a real kabupaten's results.
const kabupatenName = "Kabupaten Contoh (data contoh)"

// level is the highest ZI predicate a kecamatan's final result reaches in a year.
type level int

const (
	levelNone level = iota
	levelWBK
	levelWBBM
)

// kecamatan is one demo kecamatan and the traits its generated answers follow.
type kecamatan struct {
	code, name string
	// base is the latent maturity (0..1) in the oldest seeded year; growth is added per year,
	// so the trend charts show slow improvement rather than noise.
	base, growth float64
	// overclaim marks a unit whose self-assessment is clearly above what the evaluator
	// accepts: the "self vs final" chart must have someone to show.
	overclaim bool
	// zi is the ZI predicate level its final result reaches, oldest year first. The levels
	// are enforced rather than hoped for, because a dashboard without a WBK (or a WBBM that
	// appears without an earlier WBK) would not demonstrate anything.
	zi [seededYears]level
}

// kecamatanList is the demo kabupaten, showcase first: the camat and staf journeys start at
// Sukamaju, whose current ZI sheet is a draft in progress. The names are invented compound
// place names of the kind found all over Java; none is meant as a real kecamatan. The first
// half is reviewed by inspektur (Irban Wilayah I), the second by evaluator2 (Wilayah II).
var kecamatanList = []kecamatan{
	{code: "sukamaju", name: "Sukamaju", base: 0.60, growth: 0.04},
	{code: "mekarsari", name: "Mekarsari", base: 0.64, growth: 0.03},
	{code: "tanjungsari", name: "Tanjungsari", base: 0.80, growth: 0.05, zi: [3]level{levelNone, levelWBK, levelWBBM}},
	{code: "sumberjaya", name: "Sumberjaya", base: 0.55, growth: 0.03},
	{code: "karangtengah", name: "Karangtengah", base: 0.50, growth: 0.02},
	{code: "sindangsari", name: "Sindangsari", base: 0.62, growth: 0.03},
	{code: "wanasari", name: "Wanasari", base: 0.52, growth: 0.03, overclaim: true},
	{code: "bojongmulya", name: "Bojongmulya", base: 0.47, growth: 0.02},
	{code: "pasirluhur", name: "Pasirluhur", base: 0.58, growth: 0.04},
	{code: "sidomulyo", name: "Sidomulyo", base: 0.78, growth: 0.04, zi: [3]level{levelNone, levelWBK, levelWBK}},
	{code: "margahayu", name: "Margahayu", base: 0.56, growth: 0.03, overclaim: true},
	{code: "rawabening", name: "Rawabening", base: 0.44, growth: 0.02},
	{code: "kali-jernih", name: "Kali Jernih", base: 0.60, growth: 0.03, overclaim: true},
	{code: "bukit-harapan", name: "Bukit Harapan", base: 0.53, growth: 0.04},
	{code: "lembah-asri", name: "Lembah Asri", base: 0.84, growth: 0.02, zi: [3]level{levelWBK, levelWBK, levelWBK}},
	{code: "sukadamai", name: "Sukadamai", base: 0.57, growth: 0.03},
	{code: "jatimekar", name: "Jatimekar", base: 0.65, growth: 0.03, overclaim: true},
	{code: "ngadisari", name: "Ngadisari", base: 0.42, growth: 0.01},
	{code: "pagerwangi", name: "Pagerwangi", base: 0.54, growth: 0.03},
	{code: "kedungsari", name: "Kedungsari", base: 0.49, growth: 0.03},
	{code: "tegalsari", name: "Tegalsari", base: 0.61, growth: 0.04},
	{code: "gunungsari", name: "Gunungsari", base: 0.79, growth: 0.04, zi: [3]level{levelNone, levelWBK, levelWBK}},
	{code: "purwasari", name: "Purwasari", base: 0.57, growth: 0.03, overclaim: true},
	{code: "muara-indah", name: "Muara Indah", base: 0.38, growth: 0.02},
}

// Evaluator usernames; each of the first two leads the team (ketua tim) of half of the
// kecamatan, and evaluator3 is a member of inspektur's team: any member reviews, only the
// lead returns and finalizes.
const (
	evaluator1 = "inspektur"
	evaluator2 = "evaluator2"
	evaluator3 = "evaluator3"
)

// evaluatorOf returns the evaluator assigned to the i-th kecamatan: inspektur the first half
// (which holds the showcase kecamatan, so the evaluator journey meets the camat's sheets).
func evaluatorOf(i int) string {
	if i < (len(kecamatanList)+1)/2 {
		return evaluator1
	}
	return evaluator2
}

// units returns the kabupaten followed by its kecamatan.
func units() []unit.Unit {
	out := []unit.Unit{{Code: Kabupaten, Name: kabupatenName, Kind: unit.Kabupaten, Active: true, TimeZone: unit.DefaultTimeZone}}
	for _, k := range kecamatanList {
		out = append(out, unit.Unit{Code: k.code, Name: k.name, Kind: unit.Kecamatan, Parent: Kabupaten, Active: true})
	}
	return out
}

// accountsFor lists the demo accounts without passwords, the five showcase accounts first
// (admin, bupati, inspektur, camat and staf of the first kecamatan) so that a caller can print
// just those, then evaluator2, evaluator3 and the camat and staf of every other kecamatan in
// list order.
func accountsFor() []Account {
	first := kecamatanList[0]
	out := []Account{
		{Username: "admin", Name: "Admin Bagian Organisasi", Role: account.Admin},
		{Username: "bupati", Name: "Bupati Kabupaten Contoh", Role: account.Pimpinan},
		{Username: evaluator1, Name: "Inspektur Pembantu Wilayah I (Inspektorat)", Role: account.Evaluator},
		{Username: "camat." + first.code, Name: "Camat " + first.name, Role: account.Camat, Unit: first.code},
		{Username: "staf." + first.code, Name: "Staf Kecamatan " + first.name, Role: account.Staf, Unit: first.code},
		{Username: evaluator2, Name: "Inspektur Pembantu Wilayah II (Inspektorat)", Role: account.Evaluator},
		{Username: evaluator3, Name: "Auditor Inspektorat Wilayah I", Role: account.Evaluator},
	}
	for _, k := range kecamatanList[1:] {
		out = append(out,
			Account{Username: "camat." + k.code, Name: "Camat " + k.name, Role: account.Camat, Unit: k.code},
			Account{Username: "staf." + k.code, Name: "Staf Kecamatan " + k.name, Role: account.Staf, Unit: k.code})
	}
	return out
}

// nip invents an 18-digit NIP in the civil-service layout (birth date, CPNS month, sex,
// sequence) so that the field looks right in the UI; it is derived from the username so the
// same account always gets the same number.
func nip(username string) string {
	r := rngFor("nip", username)
	born := 1968 + r.IntN(26)
	cpns := born + 23 + r.IntN(8)
	return fmt.Sprintf("%04d%02d%02d%04d%02d%d%03d",
		born, 1+r.IntN(12), 1+r.IntN(28), cpns, 1+r.IntN(12), 1+r.IntN(2), 1+r.IntN(9))
}
