# Copyright 2026 The hupr_ros Authors
# SPDX-License-Identifier: Apache-2.0

"""
Helpers for node tests over real DDS.

The node under test and the test's own node live in separate rclpy contexts (separate DDS
participants) and are spun in turn, so the test waits on events (messages arriving), never on
sleeps.
"""

import contextlib
import time
from typing import Callable, List

import rclpy
from rclpy.executors import SingleThreadedExecutor
from rclpy.node import Node


class Harness:
    """Spins any number of nodes, each in its own context, from the test's thread."""

    def __init__(self) -> None:
        self._executors: List[SingleThreadedExecutor] = []
        self._contexts = []
        self._nodes: List[Node] = []

    def context(self) -> rclpy.Context:
        context = rclpy.Context()
        rclpy.init(context=context)
        self._contexts.append(context)
        executor = SingleThreadedExecutor(context=context)
        self._executors.append(executor)
        return context

    def add(self, factory: Callable[..., Node], **kwargs) -> Node:
        """Create a node in a new context: ``factory(context=..., **kwargs)``."""
        context = self.context()
        node = factory(context=context, **kwargs)
        self._executors[-1].add_node(node)
        self._nodes.append(node)
        return node

    def spin_until(self, predicate: Callable[[], bool], timeout: float = 20.0) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if predicate():
                return True
            for executor in self._executors:
                executor.spin_once(timeout_sec=0.005)
        return predicate()

    def close(self) -> None:
        for node in self._nodes:
            node.destroy_node()
        for executor in self._executors:
            executor.shutdown()
        for context in self._contexts:
            rclpy.shutdown(context=context)


@contextlib.contextmanager
def harness():
    h = Harness()
    try:
        yield h
    finally:
        h.close()


def wait_for_match(h: Harness, publisher, timeout: float = 20.0) -> None:
    """
    Spin until a publisher and its subscriptions have matched.

    Until ``publisher`` and every subscription on its topic in the harness have matched
    each other, from both sides: a best-effort sample sent when only the writer has matched
    can be lost (seen with 4 MiB cube pairs), and tests send single samples.
    """
    topic = publisher.topic_name

    def matched() -> bool:
        readers = [s for node in h._nodes for s in node.subscriptions
                   if s.topic_name == topic]
        return publisher.get_subscription_count() > 0 and \
            all(s.get_publisher_count() > 0 for s in readers)
    assert h.spin_until(matched, timeout), f'{topic}: publisher and subscribers not matched'
    h.spin_until(lambda: False, 0.3)     # let the transport settle (shared memory segments)
