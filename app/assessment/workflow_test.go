package assessment

import (
	"fmt"
	"strings"
	"testing"

	"github.com/rapor-rb/raporrb/app/account"
	"github.com/rapor-rb/raporrb/app/apperr"
)

// Every (status, action, role) combination of the workflow, with the exact answer: allowed,
// or the refusal (403 for who, 409 for when) and its message. One grid per action: a row per
// role, a column per status (draf, diajukan, direviu, perlu_perbaikan, final).
func TestPermitEveryStatusActionAndRole(t *testing.T) {
	statuses := []Status{Draft, Submitted, InReview, Returned, Final}
	roles := map[string]struct {
		u   *account.User
		obj account.Object
	}{
		"staf":           {&account.User{Username: "s", Role: account.Staf, Unit: "a"}, account.Object{Unit: "a"}},
		"camat":          {&account.User{Username: "c", Role: account.Camat, Unit: "a"}, account.Object{Unit: "a"}},
		"camat-lain":     {&account.User{Username: "x", Role: account.Camat, Unit: "b"}, account.Object{Unit: "a"}},
		"anggota-tim":    {&account.User{Username: "e1", Role: account.Evaluator}, account.Object{Unit: "a", Assigned: true}},
		"ketua-tim":      {&account.User{Username: "e2", Role: account.Evaluator}, account.Object{Unit: "a", Assigned: true, Lead: true}},
		"tidak-ditugasi": {&account.User{Username: "e3", Role: account.Evaluator}, account.Object{Unit: "a"}},
		"pimpinan":       {&account.User{Username: "p", Role: account.Pimpinan}, account.Object{Unit: "a"}},
		"admin":          {&account.User{Username: "adm", Role: account.Admin}, account.Object{Unit: "a"}},
	}
	msg := map[string]string{
		"ok":       "",
		"own":      "403 Anda hanya dapat mengakses penilaian unit Anda sendiri.",
		"camat":    "403 Hanya camat yang dapat mengajukan penilaian.",
		"none":     "403 Anda tidak berhak melakukan tindakan ini.",
		"unassign": "403 Unit ini tidak ditugaskan kepada Anda.",
		"lead":     "403 Hanya ketua tim yang dapat mengembalikan atau memfinalkan penilaian.",
		"pimpinan": "403 Pimpinan hanya dapat membaca, tidak mengubah data.",
		"adm-ans":  "403 Administrator tidak mengisi penilaian.",
		"adm-rev":  "403 Administrator tidak menilai; penilaian dilakukan evaluator yang ditugaskan.",
		"final":    "409 Penilaian sudah final dan terkunci. Hanya administrator yang dapat membukanya kembali.",
		"ans-sub":  "409 Penilaian sudah diajukan dan tidak dapat diubah sampai evaluator mengembalikan indikator.",
		"sub-sub":  "409 Penilaian sudah diajukan dan sedang menunggu atau menjalani reviu.",
		"rev-dra":  "409 Penilaian masih draf: kecamatan belum mengajukannya.",
		"rev-ret":  "409 Lembar kerja sedang dikembalikan kepada kecamatan untuk perbaikan; reviu dilanjutkan setelah diajukan kembali.",
		"ret-dra":  "409 Penilaian masih draf: belum ada yang dapat dikembalikan.",
		"ret-sub":  "409 Reviu belum dimulai: nilai indikator terlebih dahulu, tandai yang perlu diperbaiki, lalu kembalikan.",
		"ret-ret":  "409 Penilaian sudah dikembalikan dan menunggu perbaikan kecamatan.",
		"fin-dra":  "409 Penilaian masih draf dan belum diajukan; tidak dapat difinalkan.",
		"fin-sub":  "409 Reviu belum dimulai: nilai setiap indikator sebelum memfinalkan.",
		"fin-ret":  "409 Indikator sedang dikembalikan kepada kecamatan; finalisasi menunggu pengajuan kembali.",
		"reo-dra":  "409 Hanya penilaian yang sudah final yang dapat dibuka kembali (status sekarang: Draf).",
		"reo-sub":  "409 Hanya penilaian yang sudah final yang dapat dibuka kembali (status sekarang: Diajukan).",
		"reo-rev":  "409 Hanya penilaian yang sudah final yang dapat dibuka kembali (status sekarang: Direviu).",
		"reo-ret":  "409 Hanya penilaian yang sudah final yang dapat dibuka kembali (status sekarang: Perlu perbaikan).",
	}
	grids := map[account.Action]string{
		//                draf      diajukan  direviu   perlu_perbaikan final
		account.Answer: `
		staf              ok        ans-sub   ans-sub   ok        final
		camat             ok        ans-sub   ans-sub   ok        final
		camat-lain        own       own       own       own       own
		anggota-tim       none      none      none      none      none
		ketua-tim         none      none      none      none      none
		tidak-ditugasi    none      none      none      none      none
		pimpinan          pimpinan  pimpinan  pimpinan  pimpinan  pimpinan
		admin             adm-ans   adm-ans   adm-ans   adm-ans   adm-ans`,
		account.Submit: `
		staf              camat     camat     camat     camat     camat
		camat             ok        sub-sub   sub-sub   ok        final
		camat-lain        own       own       own       own       own
		anggota-tim       none      none      none      none      none
		ketua-tim         none      none      none      none      none
		tidak-ditugasi    none      none      none      none      none
		pimpinan          pimpinan  pimpinan  pimpinan  pimpinan  pimpinan
		admin             adm-ans   adm-ans   adm-ans   adm-ans   adm-ans`,
		account.Review: `
		staf              none      none      none      none      none
		camat             none      none      none      none      none
		camat-lain        none      none      none      none      none
		anggota-tim       rev-dra   ok        ok        rev-ret   final
		ketua-tim         rev-dra   ok        ok        rev-ret   final
		tidak-ditugasi    unassign  unassign  unassign  unassign  unassign
		pimpinan          pimpinan  pimpinan  pimpinan  pimpinan  pimpinan
		admin             adm-rev   adm-rev   adm-rev   adm-rev   adm-rev`,
		account.Return: `
		staf              none      none      none      none      none
		camat             none      none      none      none      none
		camat-lain        none      none      none      none      none
		anggota-tim       lead      lead      lead      lead      lead
		ketua-tim         ret-dra   ret-sub   ok        ret-ret   final
		tidak-ditugasi    unassign  unassign  unassign  unassign  unassign
		pimpinan          pimpinan  pimpinan  pimpinan  pimpinan  pimpinan
		admin             adm-rev   adm-rev   adm-rev   adm-rev   adm-rev`,
		account.Finalize: `
		staf              none      none      none      none      none
		camat             none      none      none      none      none
		camat-lain        none      none      none      none      none
		anggota-tim       lead      lead      lead      lead      lead
		ketua-tim         fin-dra   fin-sub   ok        fin-ret   final
		tidak-ditugasi    unassign  unassign  unassign  unassign  unassign
		pimpinan          pimpinan  pimpinan  pimpinan  pimpinan  pimpinan
		admin             adm-rev   adm-rev   adm-rev   adm-rev   adm-rev`,
		account.Reopen: `
		staf              none      none      none      none      none
		camat             none      none      none      none      none
		camat-lain        none      none      none      none      none
		anggota-tim       none      none      none      none      none
		ketua-tim         none      none      none      none      none
		tidak-ditugasi    none      none      none      none      none
		pimpinan          pimpinan  pimpinan  pimpinan  pimpinan  pimpinan
		admin             reo-dra   reo-sub   reo-rev   reo-ret   ok`,
	}
	cells := 0
	for act, grid := range grids {
		rows := 0
		for _, line := range strings.Split(strings.TrimSpace(grid), "\n") {
			f := strings.Fields(line)
			if len(f) != 1+len(statuses) {
				t.Fatalf("%s: bad grid line %q", act, line)
			}
			r, ok := roles[f[0]]
			if !ok {
				t.Fatalf("%s: unknown role %q", act, f[0])
			}
			rows++
			for i, st := range statuses {
				want, ok := msg[f[i+1]]
				if !ok {
					t.Fatalf("%s: unknown cell %q", act, f[i+1])
				}
				got := ""
				if err := Permit(r.u, r.obj, st, act); err != nil {
					status := map[apperr.Kind]int{apperr.Forbidden: 403, apperr.Conflict: 409, apperr.Unauthorized: 401}[apperr.KindOf(err)]
					got = fmt.Sprintf("%d %s", status, apperr.Message(err))
				}
				if got != want {
					t.Errorf("%s by %s on %s: got %q, want %q", act, f[0], st, got, want)
				}
				cells++
			}
		}
		if rows != len(roles) {
			t.Errorf("%s: %d roles in the grid, want %d", act, rows, len(roles))
		}
	}
	if cells != len(grids)*len(roles)*len(statuses) {
		t.Errorf("%d combinations checked", cells)
	}
	// Nobody signed in: 401 whatever the status.
	if err := Permit(nil, account.Object{Unit: "a"}, Draft, account.Answer); !apperr.Is(err, apperr.Unauthorized) {
		t.Errorf("anonymous = %v", err)
	}
}
