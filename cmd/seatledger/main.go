// Command seatledger is the one binary: CLI, service and demo. It parses flags and
// calls the application layer; the behaviour lives in internal/.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/seatledger/seatledger/internal/i18n"
	"github.com/seatledger/seatledger/internal/problems"
	"github.com/seatledger/seatledger/internal/textclean"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run executes one command line and returns the process exit code.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	root := newRoot(stdout, stderr)
	root.SetArgs(args)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return 0
	}
	var list problems.List
	if errors.As(err, &list) {
		fmt.Fprintf(stderr, "seatledger: %s in the input; nothing was written:\n", i18n.N(len(list), "problem"))
		for _, p := range list {
			textf(stderr, "%s\n", p.String())
		}
		return 1
	}
	// Errors quote outside values (a name in a file, Graph's message): clean, but
	// keep the lines of a multi-line error.
	fmt.Fprintln(stderr, "seatledger:", textclean.Text(err.Error()))
	return 1
}
