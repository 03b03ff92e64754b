# Copyright 2026 The hupr_ros Authors
# SPDX-License-Identifier: Apache-2.0

"""
What every hupr_ros node shares: the node contract.

Parameters declared from a table and read once (:class:`Param`, :func:`declare_parameters`),
one lifecycle policy (:func:`autostart`), error reporting into ``/diagnostics``
(:func:`report`, :class:`Diagnostics`), stage timing, and the main() wrapper
(:func:`run_node`). QoS profiles are in :mod:`hupr_ros.nodes.qos`.
"""

from collections import defaultdict
from dataclasses import dataclass
import functools
import time
import traceback
from types import SimpleNamespace
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

from diagnostic_msgs.msg import DiagnosticArray, DiagnosticStatus, KeyValue
from hupr_ros.guards import ErrorLog
from hupr_ros.memory import keep_freed_memory
from hupr_ros.messages.ros import make_header
from hupr_ros.nodes.environment import apply_process_defaults
from hupr_ros.nodes.qos import DIAGNOSTICS_QOS
import rclpy
from rclpy.exceptions import ParameterException
from rclpy.executors import ExternalShutdownException
from rclpy.node import Node


class Changes:
    """How a dict of growing counters changed since the previous call: (increase per key, s)."""

    def __init__(self) -> None:
        self._time, self._last = time.monotonic(), {}

    def __call__(self, counts: Dict[str, int]) -> Tuple[Dict[str, int], float]:
        now = time.monotonic()
        delta = {k: v - self._last.get(k, 0) for k, v in counts.items()}
        seconds = max(now - self._time, 1e-9)
        self._time, self._last = now, dict(counts)
        return delta, seconds


class RateMeter:
    """Events per second of one growing counter since the previous call."""

    def __init__(self) -> None:
        self._changes = Changes()

    def __call__(self, count: int) -> float:
        delta, seconds = self._changes({'n': count})
        return delta['n'] / seconds


class Diagnostics:
    """
    One ``diagnostic_msgs/DiagnosticStatus`` per node on ``/diagnostics``, every ``period_s``.

    ``update()`` returns (level, message, values) and this publishes it, named ``hupr_ros:
    <node>``, as the diagnostic aggregator and rqt_robot_monitor expect. With ``errors`` (the
    node's :class:`ErrorLog`), the problems counted since the last report are added: WARN, each
    kind and its count in the message, the totals in the values.
    """

    OK, WARN, ERROR = DiagnosticStatus.OK, DiagnosticStatus.WARN, DiagnosticStatus.ERROR

    def __init__(self, node: Node, update: Callable[[], tuple], hardware_id: str = '',
                 period_s: float = 1.0, errors: Optional[ErrorLog] = None) -> None:
        self.node, self.update, self.hardware_id = node, update, hardware_id
        self.errors, self._problems = errors, Changes()
        self.publisher = node.create_publisher(DiagnosticArray, '/diagnostics', DIAGNOSTICS_QOS)
        node.create_timer(period_s, self.publish)

    def publish(self) -> None:
        level, message, values = self.update()
        if self.errors is not None:
            new, _ = self._problems(self.errors.counts)
            new = {k: n for k, n in new.items() if n > 0}
            if new:
                level = max(level, self.WARN)
                message += '; ' + ', '.join(f'{n} {k}' for k, n in sorted(new.items()))
            values = {**values, **{f'problem_{k}': v for k, v in self.errors.counts.items()}}
        status = DiagnosticStatus(
            level=level, name=f'hupr_ros: {self.node.get_fully_qualified_name()}',
            message=message, hardware_id=self.hardware_id,
            values=[KeyValue(key=str(k), value=str(v)) for k, v in values.items()])
        self.publisher.publish(DiagnosticArray(
            header=make_header(self.node.get_clock().now().nanoseconds, ''), status=[status]))


class StageTimer:
    """Per-stage wall-clock timing of a node's pipeline, summarised on demand."""

    def __init__(self) -> None:
        self._samples: Dict[str, List[float]] = defaultdict(list)

    def measure(self, stage: str) -> '_Stage':
        return _Stage(self._samples[stage])

    def add(self, stage: str, seconds: float) -> None:
        """Record a duration measured elsewhere (e.g. on a worker thread)."""
        self._samples[stage].append(seconds)

    def summary(self, reset: bool = True) -> str:
        """'stage mean/max ms' for every stage measured since the last reset."""
        parts = [f'{stage} {1e3 * sum(v) / len(v):.1f}/{1e3 * max(v):.1f} ms'
                 for stage, v in self._samples.items() if v]
        if reset:
            self._samples.clear()
        return ', '.join(parts) if parts else 'no samples'

    def mean_ms(self, stage: str) -> Optional[float]:
        values = self._samples.get(stage)
        return 1e3 * sum(values) / len(values) if values else None


class _Stage:

    def __init__(self, sink: List[float]) -> None:
        self._sink = sink

    def __enter__(self) -> None:
        self._start = time.perf_counter()

    def __exit__(self, *exc) -> None:
        self._sink.append(time.perf_counter() - self._start)


def report(node: Node, errors: ErrorLog, kind: str, message: str, warn: bool = False) -> None:
    """Count a problem under ``kind`` and log it, at most once per period per kind."""
    line = errors.report(kind, message)
    if line is None:
        return
    if warn:     # one severity per call site: rclpy refuses to change it between calls
        node.get_logger().warning(line)
    else:
        node.get_logger().error(line)


def guarded(method: Callable) -> Callable:
    """
    Decorate a node callback.

    An unexpected exception is counted as 'internal_error' and logged with its traceback, and the
    node keeps running (the node needs ``self.errors``).
    """
    @functools.wraps(method)
    def inner(self, *args, **kwargs):
        try:
            return method(self, *args, **kwargs)
        except Exception as error:   # noqa: B902 - the node must outlive any message
            report(self, self.errors, 'internal_error',
                   f'{method.__name__}: {error!r}\n{traceback.format_exc()}')
    return inner


def declarer(node: Node) -> Callable:
    """
    Return a parameter declarer that adds ranges and read-only descriptors.

    ``p = declarer(self)`` replaces ``p = self.declare_parameter``: the same arguments plus
    ``range=(low, high)`` (a descriptor range, enforced by rclpy at start-up and on set) and
    ``dynamic`` (default False). Every hupr_ros parameter is read at
    start-up, so all are ``read_only``: ``ros2 param set`` then fails with "read-only" instead of
    being ignored.
    """
    from rcl_interfaces.msg import FloatingPointRange, IntegerRange, ParameterDescriptor

    def declare(name: str, default, descriptor: ParameterDescriptor = None, *,
                range: Optional[tuple] = None,     # noqa: A002 - the descriptor's word
                dynamic: bool = False):
        descriptor = descriptor or ParameterDescriptor()
        descriptor.read_only = not dynamic
        if range is not None:
            low, high = range
            if isinstance(default, bool) or not isinstance(default, (int, float)):
                raise TypeError(f'{name}: a range needs a numeric default')
            if isinstance(default, int):
                descriptor.integer_range = [IntegerRange(from_value=int(low), to_value=int(high),
                                                         step=1)]
            else:
                descriptor.floating_point_range = [FloatingPointRange(
                    from_value=float(low), to_value=float(high), step=0.0)]
        return node.declare_parameter(name, default, descriptor)
    return declare


@dataclass(frozen=True)
class Param:
    """
    One entry of a node's parameter table: name, default, description and a numeric range.

    Each node module holds its table (``PARAMETERS``); :func:`declare_parameters` declares it
    and reads every value once. The description is what ``ros2 param describe`` shows.
    """

    name: str
    default: Any
    description: str
    range: Optional[tuple] = None     # noqa: A003 - the descriptor's word, as in declarer


def declare_parameters(node: Node, table: Sequence[Param]) -> SimpleNamespace:
    """
    Declare a parameter table on ``node`` (read-only, with ranges) and read it once.

    A parameter the node already declared (a shared one, e.g. ``max_future_s`` of the pose
    node and its raw input) keeps its first declaration. Returns the values as attributes
    (``node.params.fps``).
    """
    from rcl_interfaces.msg import ParameterDescriptor
    declare = declarer(node)
    for param in table:
        if not node.has_parameter(param.name):
            declare(param.name, param.default, ParameterDescriptor(description=param.description),
                    range=param.range)
    return SimpleNamespace(**{param.name: node.get_parameter(param.name).value
                              for param in table})


class StartupError(RuntimeError):
    """A node cannot start with its parameters (missing weights, unreadable device, ...)."""


def autostart(node) -> None:
    """
    Configure and activate a lifecycle node at start-up (its ``autostart`` parameter).

    The one policy of every lifecycle node here: a failing transition raises
    :class:`StartupError` with the reason the node stored in ``node._failure``, and
    :func:`run_node` ends the process with that one line (exit status 1). While this runs,
    ``node._autostarting`` is True, so the node's callbacks leave the logging to it. Without
    ``autostart`` a node waits unconfigured for a lifecycle manager, which can retry a failed
    transition.
    """
    from rclpy.lifecycle import TransitionCallbackReturn
    node._autostarting = True
    try:
        for name, trigger in (('configuration', node.trigger_configure),
                              ('activation', node.trigger_activate)):
            if trigger() != TransitionCallbackReturn.SUCCESS:
                raise StartupError(getattr(node, '_failure', '') or f'{name} failed')
    finally:
        node._autostarting = False


def transition_failed(node, message: str):
    """Store and (outside autostart) log why a transition failed; return FAILURE."""
    from rclpy.lifecycle import TransitionCallbackReturn
    node._failure = message
    if not getattr(node, '_autostarting', False):      # autostart: run_node says it
        node.get_logger().error(message)
    return TransitionCallbackReturn.FAILURE


def _goes_down(context, wait_s: float = 1.0) -> bool:
    """Return whether ``context`` is shut down now or within ``wait_s``."""
    end = time.monotonic() + wait_s
    while context.ok():
        if time.monotonic() > end:
            return False
        time.sleep(0.02)
    return True


def run_node(factory: Callable[[], Node], args=None) -> None:
    """
    Spin one node until Ctrl-C or external shutdown; destroy it cleanly.

    A :class:`StartupError` (or a ``ValueError`` from a parameter the node's constructor
    refused) is logged as one line and exits with status 1, without a traceback.
    """
    apply_process_defaults()    # the large-data transport, however the node was started
    keep_freed_memory()     # large messages at 10 Hz: no page faults for each (hupr_ros.memory)
    try:
        with rclpy.init(args=args):
            try:
                node = factory()
            except (StartupError, ValueError, ParameterException) as error:
                rclpy.logging.get_logger('hupr_ros').fatal(f'cannot start: {error}')
                raise SystemExit(1)
            try:
                rclpy.spin(node)
            except Exception:   # noqa: B902 - only while shutting down, else re-raised
                # Ctrl-C / SIGTERM shut the context down while a callback was publishing or
                # a message was being taken ("publisher's context is invalid", "Unable to
                # convert call argument"): the shutdown, not a failure. The error can come a
                # moment before the context is marked down, so give it that moment.
                if not _goes_down(node.context):
                    raise
            finally:
                node.destroy_node()
    except (KeyboardInterrupt, ExternalShutdownException):
        pass
