package main

import (
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/seatledger/seatledger/internal/iso"

	"github.com/seatledger/seatledger/internal/terms"

	"github.com/spf13/cobra"

	"github.com/seatledger/seatledger/internal/app"
	"github.com/seatledger/seatledger/internal/i18n"
	"github.com/seatledger/seatledger/internal/notices"
	"github.com/seatledger/seatledger/internal/store"
)

func newNoticesCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "notices",
		Short: "The notices customers are owed: price changes, changed terms, renewals, expiring terms, right-sizing digests",
		Long: "Notices are detected by `notices create`, rendered once in the customer's language and stored;\n" +
			"each is due the contract's notice days before the change reaches the customer (one detected later\n" +
			"is due at once and marked late). Finance can hold, release or cancel a notice before it is sent;\n" +
			"`notices send` delivers the due ones through notices.transport, each exactly once.",
	}
	cmd.AddCommand(newNoticesCreateCmd(g), newNoticesListCmd(g), newNoticesShowCmd(g), newNoticesPreviewCmd(g),
		noticeStatusCmd(g, store.NoticeHold, "Hold a notice: it is not sent until released"),
		noticeStatusCmd(g, store.NoticeRelease, "Release a held notice, or a failed one to be tried again"),
		noticeStatusCmd(g, store.NoticeCancel, "Cancel a notice: it is never sent"),
		newNoticesSendCmd(g), newNoticesAnnounceCmd(g))
	return cmd
}

func newNoticesCreateCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "create",
		Short: "Detect the notices customers are owed and store the new ones, rendered",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return g.withApp(cmd, false, func(a *app.App) error {
				run, err := a.CreateNotices(cmd.Context())
				if err != nil {
					return err
				}
				if g.output == "json" {
					if err := writeJSON(g.stdout, run); err != nil {
						return err
					}
					if len(run.Failed) > 0 {
						return fmt.Errorf("notices not worked out for %d customers", len(run.Failed))
					}
					return nil
				}
				printNoticeSummary(g, run.Created)
				textf(g.stdout, "%s created, %d detected again (made before)\n", i18n.N(len(run.Created), "cli_notice"), run.Known)
				for _, name := range run.NoContact {
					textf(g.stdout, "not created: %s has no notice contact (add contacts with `seatledger customers import`)\n", name)
				}
				if len(run.Failed) > 0 {
					return fmt.Errorf("notices not worked out for %d customers:\n%s", len(run.Failed), strings.Join(run.Failed, "\n"))
				}
				return nil
			})
		},
	}
}

// printNoticeSummary counts notices by kind and language, and lists the late ones.
func printNoticeSummary(g *globals, list []notices.Notice) {
	counts := map[[2]string]int{}
	var late []notices.Notice
	for _, n := range list {
		counts[[2]string{n.Kind, n.Language}]++
		if n.Late() {
			late = append(late, n)
		}
	}
	if len(counts) == 0 {
		return
	}
	t := newTable(g.stdout, "KIND", "LANGUAGE", "NOTICES")
	for _, kind := range notices.Kinds {
		for _, lang := range iso.Locales {
			if n := counts[[2]string{kind, lang}]; n > 0 {
				t.row(kind, lang, strconv.Itoa(n))
			}
		}
	}
	_ = t.flush()
	for _, n := range late {
		textf(g.stdout, "late: notice %d (%s, %s) was owed on %s: %d days late\n", n.ID, n.Kind, n.Customer, n.Due.Format(time.DateOnly), n.DaysLate)
	}
}

func newNoticesListCmd(g *globals) *cobra.Command {
	var f store.NoticeFilter
	cmd := &cobra.Command{
		Use:   "list [--status due|late|held|sent|failed|pending|cancelled] [--kind KIND]",
		Short: "List notices, late ones first",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if f.Status != "" && !slices.Contains(noticeStatuses, f.Status) {
				return fmt.Errorf("--status: %q is not allowed (allowed: %s)", f.Status, strings.Join(noticeStatuses, ", "))
			}
			if f.Kind != "" && !slices.Contains(notices.Kinds, f.Kind) {
				return fmt.Errorf("--kind: %q is not allowed (allowed: %s)", f.Kind, strings.Join(notices.Kinds, ", "))
			}
			return g.withApp(cmd, false, func(a *app.App) error {
				list, err := a.Store.Notices(cmd.Context(), f)
				if err != nil {
					return err
				}
				if g.output == "json" {
					for i := range list {
						list[i].Text, list[i].HTML = "", ""
					}
					return writeJSON(g.stdout, list)
				}
				t := newTable(g.stdout, "ID", "STATUS", "KIND", "CUSTOMER", "LANGUAGE", "DUE", "LATE", "SUBJECT")
				for _, n := range list {
					late := ""
					if n.Late() {
						late = fmt.Sprintf("%d days", n.DaysLate)
					}
					t.row(strconv.FormatInt(n.ID, 10), n.Status, n.Kind, n.Customer, n.Language, n.Due.Format(time.DateOnly), late, n.Subject)
				}
				return t.flush()
			})
		},
	}
	cmd.Flags().StringVar(&f.Status, "status", "", "only notices in this status: due (pending and owed by today), late, pending, held, sending, sent, failed, cancelled")
	cmd.Flags().StringVar(&f.Kind, "kind", "", "only notices of this kind")
	return cmd
}

// noticeStatuses are what `notices list --status` takes: the stored statuses, and
// due and late.
var noticeStatuses = []string{"due", "late", notices.StatusPending, notices.StatusHeld, notices.StatusSending, notices.StatusSent, notices.StatusFailed, notices.StatusCancelled}

func noticeID(s string) (int64, error) {
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil || id <= 0 {
		return 0, fmt.Errorf("%q is not a notice id (a number, as `notices list` shows)", s)
	}
	return id, nil
}

// noticeCmd gives cmd its one argument, a notice id, and runs run with it parsed, in
// the application.
func noticeCmd(g *globals, cmd *cobra.Command, run func(cmd *cobra.Command, a *app.App, id int64) error) *cobra.Command {
	cmd.Args = cobra.ExactArgs(1)
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		id, err := noticeID(args[0])
		if err != nil {
			return err
		}
		return g.withApp(cmd, false, func(a *app.App) error { return run(cmd, a, id) })
	}
	return cmd
}

func newNoticesShowCmd(g *globals) *cobra.Command {
	return noticeCmd(g, &cobra.Command{
		Use:   "show ID",
		Short: "Show a notice as it will be (or was) sent: recipients, subject and text",
	}, func(cmd *cobra.Command, a *app.App, id int64) error {
		n, err := a.Store.Notice(cmd.Context(), id)
		if err != nil {
			return err
		}
		if g.output == "json" {
			return writeJSON(g.stdout, n)
		}
		textf(g.stdout, "notice %d: %s for %s (%s), %s\n", n.ID, n.Kind, n.Customer, n.Language, n.Status)
		textf(g.stdout, "due %s", n.Due.Format(time.DateOnly))
		if n.Late() {
			textf(g.stdout, ", %d days late", n.DaysLate)
		}
		textf(g.stdout, "\n")
		for _, r := range n.Recipients {
			textf(g.stdout, "to: %s <%s>\n", r.Name, r.Email)
		}
		textf(g.stdout, "message-id: <%s>\n", n.MessageID)
		if n.Proof != "" {
			textf(g.stdout, "sent %s by %s: %s\n", n.SentAt.Format(time.RFC3339), n.Transport, n.Proof)
		}
		if n.LastError != "" {
			textf(g.stdout, "last refusal: %s\n", n.LastError)
		}
		if n.Reason != "" {
			textf(g.stdout, "reason: %s\n", n.Reason)
		}
		textf(g.stdout, "subject: %s\n\n", n.Subject)
		_, err = fmt.Fprintln(g.stdout, n.Text)
		return err
	})
}

func newNoticesPreviewCmd(g *globals) *cobra.Command {
	var htmlFile string
	cmd := noticeCmd(g, &cobra.Command{
		Use:   "preview ID --html FILE",
		Short: "Write a notice's HTML part, as stored and as it will be sent, to a file to open in a browser",
	}, func(cmd *cobra.Command, a *app.App, id int64) error {
		n, err := a.Store.Notice(cmd.Context(), id)
		if err != nil {
			return err
		}
		if err := os.WriteFile(htmlFile, []byte(n.HTML), 0o600); err != nil {
			return fmt.Errorf("preview notice %d: %w", id, err)
		}
		textf(g.stdout, "notice %d (%s): %s\n", n.ID, n.Language, htmlFile)
		return nil
	})
	cmd.Flags().StringVar(&htmlFile, "html", "", "file to write the HTML part to (required)")
	_ = cmd.MarkFlagRequired("html")
	return cmd
}

func noticeStatusCmd(g *globals, action, short string) *cobra.Command {
	var reason string
	cmd := noticeCmd(g, &cobra.Command{
		Use:   action + " ID --reason TEXT",
		Short: short,
	}, func(cmd *cobra.Command, a *app.App, id int64) error {
		n, err := a.SetNoticeStatus(cmd.Context(), id, action, reason)
		if err != nil {
			return err
		}
		if g.output == "json" {
			return writeJSON(g.stdout, n)
		}
		textf(g.stdout, "notice %d is %s\n", n.ID, n.Status)
		return nil
	})
	cmd.Flags().StringVar(&reason, "reason", "", "why, for the audit log (required)")
	return cmd
}

func newNoticesSendCmd(g *globals) *cobra.Command {
	var workers int
	cmd := &cobra.Command{
		Use:   "send",
		Short: "Deliver every due notice through notices.transport, each once",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if workers < 1 || workers > 64 {
				return fmt.Errorf("--workers: %d is not from 1 to 64", workers)
			}
			return g.withApp(cmd, false, func(a *app.App) error {
				t, err := newNoticeTransport(cmd.Context(), a)
				if err != nil {
					return err
				}
				defer t.Close()
				res, err := a.SendNotices(cmd.Context(), app.SendOptions{Transport: t.Transport, TransportName: t.Name, Workers: workers})
				if g.output == "json" {
					// What went out before an error is reported too: those are sent.
					if jerr := writeJSON(g.stdout, res); jerr != nil {
						return jerr
					}
					return err
				}
				textf(g.stdout, "%d sent, %d to retry, %d failed (%s)\n", res.Sent, res.Retried, res.Failed, t.Describe)
				if res.Lost > 0 {
					textf(g.stdout, "%d taken over by another sender after their claim ran out\n", res.Lost)
				}
				return err
			})
		},
	}
	cmd.Flags().IntVar(&workers, "workers", 4, "notices delivered at once")
	return cmd
}

func newNoticesAnnounceCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "announce FILE",
		Short: "Store an announcement of changed terms (YAML: key, effective, affects, text per language); `notices create` then makes its notices",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return g.withApp(cmd, false, func(a *app.App) error {
				ann, created, err := a.Announce(cmd.Context(), args[0])
				if err != nil {
					return err
				}
				if !created {
					textf(g.stdout, "announcement %s was stored before; nothing changed\n", ann.String())
					return nil
				}
				if today := terms.Day(a.Now()); ann.Effective.Before(today) {
					textf(g.stdout, "announcement %s stored, but it is in force already: no notice is made for it\n", ann.String())
					return nil
				}
				textf(g.stdout, "announcement %s stored; `seatledger notices create` makes its notices\n", ann.String())
				return nil
			})
		},
	}
}
