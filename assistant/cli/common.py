"""What every command group shares: the consoles, the `--json` option, and the one place an
error becomes a message on the command line (`user_errors`)."""

from __future__ import annotations

import functools
import logging
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console

from assistant.settings import Settings, get_settings

out = Console()
err = Console(stderr=True)
log = logging.getLogger("plant")
F = TypeVar("F", bound=Callable[..., Any])

JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON instead of text.")]


def configure_logging(settings: Settings) -> Path:
    log_dir = settings.data_dir / "logs"
    log_dir.mkdir(parents=True, exist_ok=True)
    log_file = log_dir / "plant.log"
    root = logging.getLogger()
    if not any(isinstance(h, logging.FileHandler) for h in root.handlers):
        handler = logging.FileHandler(log_file, encoding="utf-8")
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        root.addHandler(handler)
        root.setLevel(logging.INFO)
    for noisy in ("httpx", "sentence_transformers", "transformers", "faiss"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    return log_file


def user_errors(func: F) -> F:
    """Turn user-caused errors into a readable message and internal ones into a short note."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from tools.common.errors import PlantError

        log_file = configure_logging(get_settings())
        try:
            return func(*args, **kwargs)
        except PlantError as exc:
            err.print(f"[bold red]Error:[/] {exc}", highlight=False)
            raise typer.Exit(code=1) from None
        except KeyboardInterrupt:
            err.print("Interrupted.")
            raise typer.Exit(code=130) from None
        except BrokenPipeError:  # output piped into `head` and the like: stop quietly
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            raise typer.Exit(code=0) from None
        except (typer.Exit, typer.Abort):
            raise
        except Exception as exc:
            log.exception("internal error in %s", func.__name__)
            err.print(
                f"[bold red]Internal error:[/] {type(exc).__name__}: {exc}\n"
                f"Details were written to {log_file}.",
                highlight=False,
            )
            raise typer.Exit(code=2) from None

    return wrapper  # type: ignore[return-value]
