"""The built-in scenarios seeded by migration 0002 (frozen here: later changes need a new migration)."""

import datetime
import uuid
from typing import Any

FILE_TOOLS = ["Read", "Write", "Edit", "Glob", "Grep"]

BUILTIN_SCENARIOS = [
    {
        "slug": "general-assistant",
        "name": "通用助手",
        "description": "回答问题、整理思路、起草文字。适合任何不确定该选哪个场景的任务。",
        "category": "general",
        "tags": ["通用", "问答", "写作", "general"],
        "icon": "🤖",
        "example_prompts": ["帮我把这段会议记录整理成要点", "解释一下什么是向量数据库", "给我的周报起个提纲"],
        "translations": {
            "en-US": {
                "name": "General assistant",
                "description": "Answers questions, organises ideas and drafts text. A good start when no other scenario fits.",
                "example_prompts": [
                    "Turn these meeting notes into bullet points",
                    "Explain what a vector database is",
                    "Outline my weekly report",
                ],
            }
        },
        "system_prompt": (
            "You are a helpful, precise assistant on a company's AI platform. Answer in the language the user "
            "writes in. Prefer clear structure (short paragraphs, lists when they help). When the user asks for a "
            "document or file, write it into the working directory with the Write tool and say its file name. "
            "Never claim to have done something you did not do."
        ),
        "tools": FILE_TOOLS,
        "max_turns": 20,
        "is_default": True,
    },
    {
        "slug": "marketing-copy",
        "name": "营销文案",
        "description": "为产品、活动和社交媒体撰写标题、卖点和多版本文案，可指定语气和字数。",
        "category": "marketing",
        "tags": ["营销", "文案", "广告", "社交媒体", "marketing", "copywriting"],
        "icon": "📣",
        "example_prompts": [
            "为我们的新款保温杯写三条小红书文案",
            "给双十一促销活动写 5 个标题",
            "把这段产品介绍改得更有感染力",
        ],
        "translations": {
            "en-US": {
                "name": "Marketing copy",
                "description": "Headlines, selling points and copy variants for products, campaigns and social media.",
                "example_prompts": [
                    "Write three social posts for our new insulated bottle",
                    "Give me 5 headlines for a holiday sale",
                    "Make this product description more compelling",
                ],
            }
        },
        "system_prompt": (
            "You are a senior marketing copywriter. Ask at most one clarifying question, only when the product or "
            "audience is unclear. Offer 2-3 distinct variants with different angles, label each, keep claims "
            "truthful and avoid superlatives that cannot be proven. Match the platform's conventions (length, "
            "hashtags, tone) and write in the user's language."
        ),
        "tools": ["Read", "Write", "Edit"],
        "max_turns": 10,
    },
    {
        "slug": "report-writer",
        "name": "报告撰写",
        "description": "根据要点或资料撰写结构完整的报告，输出为 Markdown 或 HTML 文件，可直接下载。",
        "category": "writing",
        "tags": ["报告", "文档", "总结", "Markdown", "HTML", "report"],
        "icon": "📝",
        "example_prompts": [
            "根据这些要点写一份季度工作总结报告",
            "写一份关于远程办公利弊的调研报告，输出 HTML",
            "把这份数据整理成一页纸的项目简报",
        ],
        "translations": {
            "en-US": {
                "name": "Report writer",
                "description": "Turns notes or material into a structured report, delivered as a Markdown or HTML file.",
                "example_prompts": [
                    "Write a quarterly summary report from these points",
                    "Write a research report on remote work, as HTML",
                    "Make a one-page project brief from this data",
                ],
            }
        },
        "system_prompt": (
            "You write well-structured reports. Always deliver the report as a file in the working directory: "
            "report.md by default, or report.html when the user asks for HTML (a complete, self-contained page "
            "with simple inline CSS, no external resources, no scripts). Structure: title, summary, sections with "
            "headings, conclusion. After writing, reply with a short overview and the file name."
        ),
        "tools": FILE_TOOLS,
        "max_turns": 20,
    },
    {
        "slug": "data-helper",
        "name": "数据助手",
        "description": "整理、清洗和汇总表格数据，生成 CSV 文件，并解释统计结果。",
        "category": "data",
        "tags": ["数据", "表格", "CSV", "统计", "Excel", "data", "spreadsheet"],
        "icon": "📊",
        "example_prompts": [
            "把这些销售记录整理成 CSV 表格",
            "帮我生成一个包含 20 个示例客户的 CSV",
            "计算每个地区的平均销售额",
        ],
        "translations": {
            "en-US": {
                "name": "Data helper",
                "description": "Organises, cleans and summarises tabular data, writes CSV files and explains the numbers.",
                "example_prompts": [
                    "Turn these sales records into a CSV table",
                    "Generate a CSV with 20 sample customers",
                    "Compute the average sales per region",
                ],
            }
        },
        "system_prompt": (
            "You are a careful data analyst. Put tabular output in CSV files in the working directory (UTF-8, a "
            "header row, comma-separated, quoted where needed) and name the file in your reply. Read any files "
            "the user refers to before answering. State assumptions, show how totals and averages were computed, "
            "and never invent data unless asked for sample data."
        ),
        "tools": FILE_TOOLS,
        "max_turns": 20,
    },
    {
        "slug": "translator",
        "name": "翻译助手",
        "description": "中英互译，保留格式与术语，可按正式或口语风格调整。",
        "category": "language",
        "tags": ["翻译", "中英", "本地化", "translation", "english", "chinese"],
        "icon": "🌐",
        "example_prompts": [
            "把这封邮件翻译成正式的英文",
            "Translate this paragraph into natural Chinese",
            "检查这段英文的语法",
        ],
        "translations": {
            "en-US": {
                "name": "Translator",
                "description": "Chinese-English translation that keeps formatting and terminology, formal or casual.",
                "example_prompts": [
                    "Translate this email into formal English",
                    "Translate this paragraph into natural Chinese",
                    "Check the grammar of this English text",
                ],
            }
        },
        "system_prompt": (
            "You are a professional Chinese-English translator. Translate faithfully, keep the original "
            "formatting (lists, headings, code), keep names and product terms consistent, and adapt idioms "
            "naturally. If the source language is Chinese translate to English, otherwise to Chinese, unless the "
            "user says otherwise. Output only the translation unless asked for notes."
        ),
        "tools": ["Read", "Write"],
        "max_turns": 10,
    },
]


def builtin_scenario_rows() -> list[dict[str, Any]]:
    """Rows for the scenarios table, as migration 0002 inserts them."""
    now = datetime.datetime.now(datetime.UTC)
    defaults: dict[str, Any] = {
        "model": None,
        "allowed_models": [],
        "max_budget_usd": None,
        "is_default": False,
        "is_public": True,
        "is_enabled": True,
        "is_builtin": True,
        "created_by": None,
        "created_at": now,
        "updated_at": now,
    }
    return [{**defaults, **spec, "id": uuid.uuid4()} for spec in BUILTIN_SCENARIOS]
