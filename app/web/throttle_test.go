package web

import (
	"fmt"
	"testing"
	"time"
)

// The in-memory throttle store is bounded: a flood of distinct keys (addresses, usernames)
// never holds more than its maximum, and expired entries read as absent.
func TestMemoryStorageIsBounded(t *testing.T) {
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	m := NewMemoryStorage(100, func() time.Time { return now }).(*memStorage)
	for i := range 10_000 {
		if err := m.Set(fmt.Sprintf("login/alamat/203.0.%d.%d", i/256, i%256), []byte("1"), time.Minute); err != nil {
			t.Fatal(err)
		}
	}
	if n := len(m.entries); n > 100 {
		t.Errorf("%d entries held, bound 100", n)
	}
	_ = m.Set("akun", []byte("3"), time.Minute)
	if v, _ := m.Get("akun"); string(v) != "3" {
		t.Errorf("akun = %q", v)
	}
	now = now.Add(time.Minute)
	if v, _ := m.Get("akun"); v != nil {
		t.Errorf("expired = %q", v)
	}
}

// The wait before a login grows 1 s, 2 s, 4 s … past the free failures, up to the cap.
func TestLoginDelay(t *testing.T) {
	s := &Server{cfg: Config{LoginMaxPerAccount: 5, LoginDelayMax: 10 * time.Second}}
	for failures, want := range map[int]time.Duration{0: 0, 4: 0, 5: time.Second, 6: 2 * time.Second, 7: 4 * time.Second, 8: 8 * time.Second, 9: 10 * time.Second, 50: 10 * time.Second} {
		if got := s.loginDelay(failures); got != want {
			t.Errorf("loginDelay(%d) = %s, want %s", failures, got, want)
		}
	}
}
