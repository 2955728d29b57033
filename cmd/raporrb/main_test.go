package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestLoadConfig(t *testing.T) {
	c, err := loadConfig(env(nil))
	if err != nil || c.Addr != "127.0.0.1:8080" || c.DataDir != "./data" || !c.SeedDemo || c.UploadMaxMB != 20 {
		t.Fatalf("defaults = %+v, %v", c, err)
	}
	if c, err := loadConfig(env(map[string]string{"TRUSTED_PROXIES": "10.0.0.0/8, 192.168.1.10"})); err != nil || len(c.TrustedProxies) != 2 {
		t.Errorf("TRUSTED_PROXIES = %v, %v", c.TrustedProxies, err)
	}
	for _, bad := range []map[string]string{
		{"UPLOAD_MAX_MB": "nol"}, {"UPLOAD_MAX_MB": "0"}, {"SESSION_TTL": "besok"},
		{"SEED_DEMO": "mungkin"}, {"LOG_LEVEL": "ramai"}, {"EMBEDDED_MONGO_ADDR": "0.0.0.0:27017"},
		{"TRUSTED_PROXIES": "10.0.0.0/8,proksi"}, {"LOGIN_DELAY_MAX": "2h"},
	} {
		if _, err := loadConfig(env(bad)); err == nil {
			t.Errorf("%v accepted", bad)
		} else {
			for k := range bad {
				if !strings.Contains(err.Error(), k) {
					t.Errorf("error %q does not name %s", err, k)
				}
			}
		}
	}
}

// `raporrb seed --demo` fills an empty database once, writes the accounts file 0600, and
// refuses a second time; a corrupted DATA_DIR stops the command with a clear line.
func TestSeedCommand(t *testing.T) {
	dir := t.TempDir()
	var out, errb bytes.Buffer
	e := env(map[string]string{"DATA_DIR": dir})
	if code := run(context.Background(), []string{"seed", "--demo"}, e, nil, &out, &errb); code != 0 {
		t.Fatalf("seed = %d: %s", code, errb.String())
	}
	for _, want := range []string{"admin", "bupati", "inspektur", "camat.sukamaju", "staf.sukamaju", "demo-accounts.txt"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
	st, err := os.Stat(filepath.Join(dir, "demo-accounts.txt"))
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("accounts file: %v, %v", st, err)
	}

	out.Reset()
	errb.Reset()
	if code := run(context.Background(), []string{"seed", "--demo"}, e, nil, &out, &errb); code != 1 || !strings.Contains(errb.String(), "already has users") {
		t.Errorf("second seed = %d: %s", code, errb.String())
	}

	if err := os.WriteFile(filepath.Join(dir, "db", "raporrb.sqlite"), []byte("rusak"), 0o600); err != nil {
		t.Fatal(err)
	}
	errb.Reset()
	if code := run(context.Background(), []string{"seed", "--demo"}, e, nil, &out, &errb); code != 1 || !strings.Contains(errb.String(), "not a SQLite database") {
		t.Errorf("corrupted DATA_DIR = %d: %s", code, errb.String())
	}
	if strings.Count(strings.TrimSpace(errb.String()), "\n") != 0 {
		t.Errorf("error is not one line: %q", errb.String())
	}
}

func TestUnknownCommand(t *testing.T) {
	var out, errb bytes.Buffer
	if code := run(context.Background(), []string{"terbang"}, env(nil), nil, &out, &errb); code != 2 {
		t.Errorf("unknown command = %d", code)
	}
	if code := run(context.Background(), []string{"seed"}, env(nil), nil, &out, &errb); code != 2 {
		t.Errorf("seed without --demo = %d", code)
	}
}
