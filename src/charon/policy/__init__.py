"""Platform policy: pure rules over the spec and the compiled objects, producing findings.

``evaluate(platform, compiled)`` runs every registered rule, applies the spec's waivers and returns
findings sorted errors first; ``blocking(findings)`` are the ones that make ``charon check`` exit 3.
"""

from charon.policy.finding import SEVERITIES, Finding, Severity, blocking
from charon.policy.registry import RuleInfo, evaluate, rules

__all__ = ["SEVERITIES", "Finding", "RuleInfo", "Severity", "blocking", "evaluate", "rules"]
