package store

import "gorm.io/gorm"

// DB hands tests the connection, to try what the store's own functions never do.
func (s *Store) DB() *gorm.DB { return s.db }
