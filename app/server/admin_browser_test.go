package server

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// The administrator's year, on a phone: open a new year (its assessments created as a job
// with its progress), extend one kecamatan's deadline, create a user; the new user signs in
// with the one-time password, is made to change it, and sees the new year's assessments with
// the extension and its reason.
func TestBrowserAdminOpensAYearAndCreatesAUser(t *testing.T) {
	w := newWorld(t)
	base := serve(t, w.srv)
	ctx := browser(t)

	var result, password string
	err := chromedp.Run(ctx, loginActions(base, "admin", demoPassword),
		waitVisible(`#menu-admin`),
		click(`#menu-admin a[href="/admin/periode"]`),
		waitVisible(`#form-buka-tahun`),
		setValue(`#tahun-baru`, "2027"),
		submit(`#tahun-baru`),
		waitURL("/admin/periode/2027"),
		waitVisible(`#form-periode`),
		// The defaults: every instrument family's newest version, 15 January – 30 September – 30 November.
		setValue(`input[name="batas_zi-2021"]`, "2027-10-31"),
		click(`#simpan-periode`),
		waitURL("/tugas/"),
		waitText(`#tugas-hasil`, "penilaian dibuat"),
		text(`#tugas-hasil`, &result),
		click(`#tugas-lanjut`),
		waitVisible(`#form-perpanjangan`),
		setValue(`#perpanjangan-unit`, "alpha"),
		setValue(`#perpanjangan-instrumen`, "zi-2021"),
		setValue(`#perpanjangan-tanggal`, "2027-11-15"),
		sendKeys(`#perpanjangan-alasan`, "Kantor kecamatan direnovasi"),
		submit(`#perpanjangan-alasan`),
		waitVisible(`#perpanjangan-tersimpan`),
		waitText(`#daftar-perpanjangan`, "Kantor kecamatan direnovasi"),

		navigate(base+"/admin/pengguna"),
		waitVisible(`#form-pengguna`),
		sendKeys(`#username-baru`, "sekcam.alpha"),
		sendKeys(`#nama-baru`, "Sekretaris Kecamatan Alpha"),
		setValue(`#peran-baru`, "camat"),
		setValue(`#unit-baru`, "alpha"),
		submit(`#nama-baru`),
		waitVisible(`#akun-sandi`),
		text(`#akun-sandi`, &password),
		logout(),
	)
	if err != nil {
		t.Fatal(err)
	}
	// 2 active kecamatan × the 5 instruments of the catalog.
	if !strings.Contains(result, "10 penilaian dibuat, 0 sudah ada") {
		t.Errorf("job result = %q", result)
	}
	password = strings.TrimSpace(password)
	if len(password) < 12 {
		t.Fatalf("one-time password = %q", password)
	}

	var rows int
	var ziRow, title string
	err = chromedp.Run(ctx, loginActions(base, "sekcam.alpha", password),
		waitURL("/akun/kata-sandi"),
		waitVisible(`#wajib-ganti`),
		// Any other page sends them back to the form.
		navigate(base+"/penilaian/2027/zi-2021/alpha"),
		waitURL("/akun/kata-sandi"),
		sendKeys(`#sandi-lama`, password),
		sendKeys(`#sandi-baru`, "Sandi-Baru-Alpha-27"),
		sendKeys(`#sandi-ulang`, "Sandi-Baru-Alpha-27"),
		submit(`#sandi-ulang`),
		waitVisible(`#penilaian-sekarang`),
		evaluate(`document.querySelectorAll("#penilaian-sekarang tbody tr").length`, &rows),
		text(`#penilaian-sekarang tr[data-instrument="zi-2021"]`, &ziRow),
		text(`main .page-head`, &title),
	)
	if err != nil {
		t.Fatal(err)
	}
	if rows != 5 || !strings.Contains(title, "Periode penilaian 2027") {
		t.Errorf("home: %d rows, heading %q; want the 5 assessments of 2027", rows, title)
	}
	for _, want := range []string{"Batas perpanjangan", "s.d. 15 November 2027 pukul 23.59 WITA", "Kantor kecamatan direnovasi", "Draf"} {
		if !strings.Contains(ziRow, want) {
			t.Errorf("zi-2021 row lacks %q: %q", want, ziRow)
		}
	}
	var buf []byte
	if err := chromedp.Run(ctx, chromedp.FullScreenshot(&buf, 100)); err == nil {
		_ = os.WriteFile(filepath.Join(os.TempDir(), "raporrb-admin-new-user-home.png"), buf, 0o644)
	}
	if got := w.audit("user.password"); len(got) != 1 || !strings.HasPrefix(got[0], "sekcam.alpha") {
		t.Errorf("password change audit = %v", got)
	}
}
