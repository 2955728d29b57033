package evidence

import (
	"bytes"
	"context"
	"encoding/binary"
	"os"
	"path/filepath"
	"strconv"
	"sync/atomic"
	"testing"

	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/rapor-rb/raporrb/app/dbtest"
)

// benchSeq makes every payload of every benchmark run distinct, so that content addressing
// never turns an iteration into a no-op.
var benchSeq atomic.Uint64

// benchPayload returns a 10 MB PDF (header, padding, trailer) and a function that makes its
// bytes new by writing a fresh counter into the padding.
func benchPayload() ([]byte, func()) {
	p := pdfOfSize(10 << 20)
	return p, func() { binary.LittleEndian.PutUint64(p[64:], benchSeq.Add(1)) }
}

// BenchmarkPut10MB measures upload throughput for a 10 MB PDF beside the raw engine doing the
// same write: os.WriteFile for the disk store (no fsync, no hashing, no sniffing), a plain
// driver UploadFromStream for GridFS. The ratio is the figure (DESIGN.md, performance budgets).
func BenchmarkPut10MB(b *testing.B) {
	ctx := context.Background()
	const max = 20 << 20
	put := func(b *testing.B, s Store) {
		p, next := benchPayload()
		b.SetBytes(int64(len(p)))
		b.ResetTimer()
		for range b.N {
			b.StopTimer()
			next()
			b.StartTimer()
			if _, err := s.Put(ctx, bytes.NewReader(p), max); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.Run("disk", func(b *testing.B) { put(b, newDiskStore(b)) })
	b.Run("disk-raw", func(b *testing.B) {
		dir := newDiskStore(b).dir
		p, next := benchPayload()
		b.SetBytes(int64(len(p)))
		b.ResetTimer()
		for i := range b.N {
			b.StopTimer()
			next()
			b.StartTimer()
			if err := os.WriteFile(filepath.Join(dir, strconv.Itoa(i)), p, 0o600); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("gridfs", func(b *testing.B) {
		s := NewGridFSStore(dbtest.Fresh(b, engine))
		s.tmpDir = b.TempDir()
		put(b, s)
	})
	b.Run("gridfs-raw", func(b *testing.B) {
		bucket := dbtest.Fresh(b, engine).Database.GridFSBucket(options.GridFSBucket().SetName(bucketName))
		p, next := benchPayload()
		b.SetBytes(int64(len(p)))
		b.ResetTimer()
		for i := range b.N {
			b.StopTimer()
			next()
			b.StartTimer()
			if _, err := bucket.UploadFromStream(ctx, strconv.Itoa(i), bytes.NewReader(p)); err != nil {
				b.Fatal(err)
			}
		}
	})
}
