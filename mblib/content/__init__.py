"""What a course IS: blocks, modules, credentials, workspaces and lint."""

from .blocks import (
    BLOCK_TYPES,
    AccordionBlock,
    Block,
    CalloutBlock,
    CaptionTrack,
    Card,
    ChecklistBlock,
    ChecklistItem,
    Choice,
    CodeBlock,
    CodeOutput,
    FlashcardsBlock,
    ImageBlock,
    Panel,
    QuizBlock,
    TextBlock,
    VideoBlock,
    parse_block,
)
from .credential import (
    Assessment,
    Credential,
    Criteria,
    ElectiveGroup,
    EuropeanElements,
    Issuer,
    Level,
    SkillAlignment,
    Workload,
)
from .lint import lint_credential, lint_module, lint_workspace
from .module import DurationEstimate, DurationSettings, Module
from .settings import Settings
from .workspace import Workspace, to_data, to_yaml, validate_workspace

__all__ = [
    "AccordionBlock", "Assessment", "BLOCK_TYPES", "Block", "CalloutBlock", "CaptionTrack", "Card",
    "ChecklistBlock", "ChecklistItem", "Choice", "CodeBlock", "CodeOutput", "Credential", "Criteria",
    "DurationEstimate", "DurationSettings", "ElectiveGroup", "EuropeanElements", "FlashcardsBlock",
    "ImageBlock", "Issuer", "Level", "Module", "Panel", "QuizBlock", "Settings", "SkillAlignment",
    "TextBlock", "VideoBlock", "Workload", "Workspace", "lint_credential", "lint_module",
    "lint_workspace", "parse_block", "to_data", "to_yaml", "validate_workspace",
]
