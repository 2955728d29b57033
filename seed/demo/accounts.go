package demo

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"text/tabwriter"

	"github.com/rapor-rb/raporrb/app/account"
)

// passwordAlphabet and newPassword are the accounts' one-time password generator: the demo's
// passwords look like the ones an admin hands out.
const passwordAlphabet = account.PasswordAlphabet

var newPassword = account.NewPassword

// setPasswords fills in every account's password (shared, or one generated each) and returns
// the argon2id hashes in the same order. A shared password is hashed once: argon2 costs about
// 30 ms a call, and 52 identical hashes would be most of the seed's time. Distinct passwords
// are hashed on all cores for the same reason.
func setPasswords(accts []Account, shared string) ([]string, error) {
	hashes := make([]string, len(accts))
	if shared != "" {
		h, err := account.HashPassword(shared)
		if err != nil {
			return nil, err
		}
		for i := range accts {
			accts[i].Password = shared
			hashes[i] = h
		}
		return hashes, nil
	}
	for i := range accts {
		p, err := newPassword()
		if err != nil {
			return nil, fmt.Errorf("generating a password: %w", err)
		}
		accts[i].Password = p
	}
	var (
		wg   sync.WaitGroup
		next = make(chan int)
		errs = make([]error, len(accts))
	)
	for range runtime.GOMAXPROCS(0) {
		wg.Go(func() {
			for i := range next {
				hashes[i], errs[i] = account.HashPassword(accts[i].Password)
			}
		})
	}
	for i := range accts {
		next <- i
	}
	close(next)
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return hashes, nil
}

// WriteAccounts writes the demo accounts and their passwords as a plain-text table to path,
// creating its directory. The file is readable by its owner only (0600), also when it
// replaces an older file with wider permissions: it is written to a new temporary file and
// renamed over path.
func WriteAccounts(path string, accts []Account) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("demo accounts file: %w", err)
	}
	var buf bytes.Buffer
	fmt.Fprintln(&buf, "# Akun demo Rapor RB — Kabupaten Contoh (data contoh).")
	fmt.Fprintln(&buf, "# Berkas ini berisi kata sandi: simpan secara rahasia dan hapus setelah dibagikan.")
	fmt.Fprintln(&buf)
	tw := tabwriter.NewWriter(&buf, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "NAMA PENGGUNA\tKATA SANDI\tPERAN\tUNIT\tNAMA")
	for _, a := range accts {
		u := a.Unit
		if u == "" {
			u = "-"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", a.Username, a.Password, a.Role, u, a.Name)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	f, err := os.CreateTemp(dir, ".demo-accounts-*") // created 0600
	if err != nil {
		return fmt.Errorf("demo accounts file: %w", err)
	}
	tmp := f.Name()
	defer os.Remove(tmp) // no-op after a successful rename
	if _, err := f.Write(buf.Bytes()); err != nil {
		_ = f.Close()
		return fmt.Errorf("demo accounts file: %w", err)
	}
	if err := f.Chmod(0o600); err != nil {
		_ = f.Close()
		return fmt.Errorf("demo accounts file: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("demo accounts file: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("demo accounts file: %w", err)
	}
	return nil
}
