package store

// SetPriceChunkRows makes price imports compare n prices at a time, so that tests of
// small lists cross chunk boundaries; it returns the function that restores it.
func SetPriceChunkRows(n int) (restore func()) {
	old := priceChunkRows
	priceChunkRows = n
	return func() { priceChunkRows = old }
}
