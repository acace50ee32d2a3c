package config

import (
	"path/filepath"
	"strings"
)

// DataDir is the folder seatledger keeps its own files in when the configuration
// names none: the SQLite database's folder, or the working folder with PostgreSQL.
func (c *Config) DataDir() string {
	if p, ok := strings.CutPrefix(c.Database.URL, "sqlite:"); ok && p != "" && p != ":memory:" {
		return filepath.Dir(p)
	}
	return "."
}

// PartnerCenterTokenCacheFile is partner_center.token_cache_file, or its default in
// DataDir.
func (c *Config) PartnerCenterTokenCacheFile() string {
	if c.PartnerCenter.TokenCacheFile != "" {
		return c.PartnerCenter.TokenCacheFile
	}
	return filepath.Join(c.DataDir(), "partner-center.tokens")
}

// PartnerCenterDownloadDir is partner_center.download_dir, or its default in DataDir.
func (c *Config) PartnerCenterDownloadDir() string {
	if c.PartnerCenter.DownloadDir != "" {
		return c.PartnerCenter.DownloadDir
	}
	return filepath.Join(c.DataDir(), "downloads")
}

// NoticesOutboxDir is notices.outbox_dir, or its default in DataDir.
func (c *Config) NoticesOutboxDir() string {
	if c.Notices.OutboxDir != "" {
		return c.Notices.OutboxDir
	}
	return filepath.Join(c.DataDir(), "outbox")
}
