package store

import "gorm.io/gorm"

// DB hands tests the connection, to try what the store's own functions never do.
func (s *Store) DB() *gorm.DB { return s.db }

// SetPriceChunkRows makes price imports compare n prices at a time, so that tests of
// small lists cross chunk boundaries; it returns the function that restores it.
func SetPriceChunkRows(n int) (restore func()) {
	old := priceChunkRows
	priceChunkRows = n
	return func() { priceChunkRows = old }
}
