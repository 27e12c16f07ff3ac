"""Composition root: builds the services, the window and the event loop, and shuts them down in order."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import os
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from . import APP_ID, APP_NAME, __version__
from .config.paths import ProfilePaths
from .config.pricing_file import PricingFile
from .config.secrets import SecretStore
from .config.settings import SettingsFile
from .llm.audio_api import AudioGateway
from .llm.gateway import ChatGateway, ClientOptions
from .llm.network_thread import NetworkThread
from .logging_setup import begin_logging, open_log
from .services.attachments import AttachmentService
from .services.chat_session import ChatSession
from .services.providers import ProviderService
from .services.tool_runner import ToolRunner
from .services.voice import Voice
from .store import AttachmentFiles, SchemaTooNewError, Store, StoreError

log = logging.getLogger(__name__)

FIRST_PAINT_WAIT = 1.0  # s: the most the start-up work after the first paint waits for it


def run(profile_dir: Path | None = None, *, language: str | None = None, files: list[str] | None = None) -> int:
    # Qt and the services are imported here, not at module level, so that --help/--version stay instant.
    from PySide6.QtCore import Qt

    from .ui import pyside_import_check

    pyside_import_check.install()  # before the ~800 modules still to come are imported
    import qasync
    from PySide6.QtWidgets import QApplication

    paths = ProfilePaths.for_dir(profile_dir) if profile_dir else ProfilePaths.platform_default()
    begin_logging(paths.log_dir)  # the file opens after the first paint (_main), or on the way out

    QApplication.setApplicationName(APP_ID)
    QApplication.setApplicationDisplayName(APP_NAME)
    QApplication.setApplicationVersion(__version__)
    QApplication.setDesktopFileName(APP_ID)
    QApplication.setHighDpiScaleFactorRoundingPolicy(Qt.HighDpiScaleFactorRoundingPolicy.PassThrough)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    # We end the loop ourselves after an orderly shutdown; Qt quitting it first would cut that short.
    app.setQuitOnLastWindowClosed(False)
    from .ui.single_instance import InstanceServer, forward_to_running, server_name

    # One instance per profile: a second launch raises the first and hands it its files.
    name = server_name(paths.database_file)
    if forward_to_running(name, files or []):
        log.info("handed over to the running instance")
        return 0
    instance = InstanceServer(name)
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    sys.excepthook = _crash_hook
    loop.set_exception_handler(_asyncio_exception_handler)
    built: list[Services] = []
    try:
        return loop.run_until_complete(_main(app, paths, language, built, instance, files or []))
    except RuntimeError as exc:
        # Qt's loop was stopped from outside (session logout, app.quit()): close what is still open.
        log.info("event loop stopped early: %s", exc)
        for services in built:
            services.network.stop()
            services.store.close()
        return 0
    finally:
        loop.close()
        open_log()  # a start that ended before the first paint (handed over, a database error) logged too


@dataclass
class Services:
    """Everything below the UI, built once; tests build the very same graph."""

    settings_file: SettingsFile
    store: Store
    network: NetworkThread
    gateway: ChatGateway
    providers: ProviderService
    session: ChatSession
    attachments: AttachmentService
    voice: Voice


def build_services(paths: ProfilePaths, env: Mapping[str, str] | None = None) -> Services:
    """Raises store errors (SchemaTooNewError, StoreError) for the caller to explain."""
    settings_file = SettingsFile(paths.settings_file)
    settings = settings_file.load()
    store = Store(paths.database_file)
    recovered = store.recover_interrupted()
    if recovered:
        log.info("%d reply(ies) were interrupted by the previous run", recovered)
    network = NetworkThread()
    gateway = ChatGateway(network, ClientOptions(settings.request_timeout, settings.max_retries))
    providers = ProviderService(settings_file, settings, SecretStore(paths.keyring_service), gateway, env)
    files = AttachmentFiles(paths.attachments_dir)
    tools = ToolRunner(supported=providers.tools_supported, mark_unsupported=providers.mark_tools_unsupported)
    session = ChatSession(store, gateway, providers.active, lambda: providers.settings.defaults, files, tools)
    voice = Voice.build(AudioGateway(gateway), session, providers.active, lambda: providers.settings.voice,
                        record_usage=store.add_audio_usage)
    return Services(settings_file, store, network, gateway, providers, session, AttachmentService(files), voice)


async def shutdown(services: Services) -> None:
    """Stop speech and streaming, close HTTP clients, stop the network loop, close the database, in that order."""
    services.voice.speech.stop()
    services.voice.input.cancel()
    services.session.stop()
    task = services.session.task
    if task is not None and not task.done():
        with contextlib.suppress(Exception):
            await asyncio.wait_for(asyncio.shield(task), 2)
    with contextlib.suppress(Exception):
        await asyncio.wait_for(services.gateway.aclose(), 3)
    services.network.stop()
    services.store.close()


async def _main(app, paths: ProfilePaths, language: str | None, built: list[Services], instance=None,
                files: list[str] | None = None) -> int:
    from .ui import i18n, theme
    from .ui.main_window import MainWindow

    settings = SettingsFile(paths.settings_file).load()
    translators = i18n.install(app, i18n.pick_language(language or settings.language))
    colors = theme.colors_for(settings.theme)
    theme.apply_palette(app, colors)
    try:
        services = build_services(paths)
    except StoreError as exc:
        from PySide6.QtWidgets import QMessageBox  # its Python type costs ~3 ms: made only when needed

        theme.apply_style_sheet(app, colors)  # the message box is the only window
        QMessageBox.critical(None, APP_NAME, _store_error_text(app, paths, exc))
        return 2
    built.append(services)

    window = MainWindow(services.session, services.providers, services.store, colors, services.attachments,
                        services.voice, log_dir=paths.log_dir, pricing=PricingFile(paths.pricing_file))
    theme.apply_style_sheet(app, colors)  # now, not before the window is built: see apply_style_sheet
    painted = asyncio.get_running_loop().create_future()
    window.first_painted.connect(lambda: painted.done() or painted.set_result(None))
    window.show()
    if instance is not None:
        instance.set_handler(window.open_files)
    if files:
        window.open_files(files)
    follow_system_theme(app, window, services)
    quit_event = asyncio.Event()
    window.closed.connect(quit_event.set)

    # After the first paint: read the key (a keyring may block while it unlocks), warm up the SDK
    # import on the network thread and the first reply's widgets here, and greet first-time users. (Work that
    # starts earlier, on this thread or holding the GIL on another, delays the first frame.)
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(painted, FIRST_PAINT_WAIT)  # a window that starts minimised never paints
    open_log()
    await services.providers.load_active_key()
    warming = asyncio.ensure_future(_warm_up(services, window))
    if services.providers.needs_onboarding():
        window.open_provider(first_run=True)

    await quit_event.wait()
    warming.cancel()
    if instance is not None:
        instance.close()
    await shutdown(services)
    window.deleteLater()
    del translators
    return 0


def _store_error_text(app, paths: ProfilePaths, exc: StoreError) -> str:
    if isinstance(exc, SchemaTooNewError):
        return (app.translate("Startup", "This history database was written by a newer version of Desktop "
                              "Assistant (schema %1; this version knows %2). Update the app, or start it with "
                              "another --profile-dir.")
                .replace("%1", str(exc.found)).replace("%2", str(exc.supported)))
    return app.translate("Startup", "The history database cannot be opened:") + f"\n{paths.database_file}\n{exc}"


def follow_system_theme(app, window, services: Services) -> Callable[[object], None]:
    """With the theme set to follow the system, switch light/dark when the OS does. Returns the connected handler."""
    from .config.settings import Theme
    from .ui import theme

    def on_change(_scheme) -> None:
        if services.providers.settings.theme == Theme.SYSTEM:
            colors = theme.colors_for(Theme.SYSTEM)
            theme.apply(app, colors)
            window.apply_colors(colors)

    hints = app.styleHints()
    if hints is not None:
        hints.colorSchemeChanged.connect(on_change)
    return on_change


async def _warm_up(services: Services, window) -> None:
    """The network thread's warm-up first, then the window's: run together, the UI thread would wait on
    the import lock for the modules the other is importing and compile the same regular expressions."""
    try:
        with contextlib.suppress(Exception):
            await services.network.run(_warm_up_sdk())
            provider = services.providers.active()
            if provider is not None and provider.api_key:
                await services.network.run(services.gateway.prepare(provider))
    finally:
        if not gc.isenabled():  # turned off by the launcher (__main__) for the start
            gc.freeze()  # the loaded modules, classes and widgets stay: collections from now on skip them
            gc.enable()
    window.warm_up()


async def _warm_up_sdk() -> None:
    """Runs on the network thread after the first paint: imports paid now, not on the first send."""
    import openai  # noqa: F401 - importing is the point

    from .domain import context, tools  # noqa: F401 - the first send's modules (chat_session imports them there)
    from .llm import chat_stream, requests, summaries  # noqa: F401
    from .markdown import warm_up

    warm_up()  # markdown-it and the common Pygments lexers (~150 ms on the first code block otherwise)
    # tiktoken's encoding (~75 MiB) is not loaded here: the composer loads it once typing begins.


def _asyncio_exception_handler(loop, context: dict) -> None:
    """A failure in a task nobody awaited: same treatment as an exception in a Qt slot."""
    exc = context.get("exception")
    if exc is None:
        from .domain.redact import redact_secrets

        log.error("asyncio: %s", redact_secrets(str(context.get("message"))))
        return
    _crash_hook(type(exc), exc, exc.__traceback__)


def _crash_hook(exc_type, exc, tb) -> None:
    """An unexpected exception in a Qt slot: log it (redacted) and tell the user; never exit."""
    import traceback

    from .domain.redact import redact_secrets

    text = redact_secrets("".join(traceback.format_exception(exc_type, exc, tb)))
    logging.getLogger("desktop_assistant.crash").error("unexpected exception\n%s", text)
    open_log()  # written now, even before the first paint (the dialog says it was)
    if os.environ.get("DESKTOP_ASSISTANT_NO_CRASH_DIALOG"):
        return
    with contextlib.suppress(Exception):
        from PySide6.QtWidgets import QApplication, QMessageBox

        if QApplication.instance() is not None:
            box = QMessageBox(QMessageBox.Icon.Critical, APP_NAME,
                              QApplication.translate("Startup", "Something unexpected went wrong. Your chats are "
                                                     "saved; the details were written to the log."))
            box.setDetailedText(text)
            box.exec()
