"""API keys of AI and LLM platforms, by their prefixes, alphabets and lengths.

Anthropic, OpenAI and OpenAI-compatible providers, OpenRouter, Langfuse, DeepSeek, Groq, xAI,
Replicate, Hugging Face, Pinecone, LangSmith, NVIDIA, Perplexity, Tavily: one table of
`_Vendor`s, part of the rule of tokens known by how they start (``vendors``). The ``sk-``
tokens keep their order: the first whose pattern matches names the kind.
"""

from __future__ import annotations

from log_analyzer.logs.redact.vendor_rule import _T, _Vendor

_AI_TOKENS = (
    _Vendor(
        "anthropic_api_key", rf"sk-ant-(?:api|admin|sid)[0-9]{{2}}-[{_T}]{{32,}}", ("sk-ant-",)
    ),
    _Vendor(
        "openai_api_key",
        rf"sk-(?:proj|svcacct|admin)-[{_T}]{{20,}}|sk-[A-Za-z0-9]{{20}}T[0-9]BlbkFJ[A-Za-z0-9]{{20}}",
        ("sk-",),
    ),
    # OpenRouter (a version, then 64 hex digits), Langfuse (a UUID), DeepSeek (32 lower-case
    # letters and digits): one case, which the loose rule below would take for a name. (No
    # hints of their own: OpenAI's "sk-" is in every one.)
    _Vendor("openrouter_api_key", r"sk-or-v[0-9]-[a-f0-9]{64}(?![A-Za-z0-9])", ()),
    _Vendor(
        "langfuse_secret_key",
        r"sk-lf-[a-f0-9]{8}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{12}(?![A-Za-z0-9])",
        (),
    ),
    _Vendor("deepseek_api_key", rf"sk-[a-z0-9]{{32}}(?![{_T}])", ()),
    _Vendor("llm_api_key", rf"sk-[{_T}]{{20,}}", ("sk-",)),  # OpenAI-compatible providers
    _Vendor(
        "huggingface_token", r"(?:hf|api_org)_[A-Za-z0-9]{34}(?![A-Za-z0-9])", ("hf_", "api_org_")
    ),
    _Vendor("perplexity_api_key", r"pplx-[A-Za-z0-9]{48}(?![A-Za-z0-9])", ("pplx-",)),
    _Vendor("groq_api_key", r"gsk_[A-Za-z0-9]{52}(?![A-Za-z0-9])", ("gsk_",)),
    _Vendor("xai_api_key", r"xai-[A-Za-z0-9_]{80}(?![A-Za-z0-9_])", ("xai-",)),
    # Replicate: "r8_" (its digit matched as any digit) and 37 characters.
    _Vendor("replicate_token", rf"r[0-9]_[{_T}]{{37}}(?![{_T}])", (), (r"r[0-9]_",)),
    _Vendor(
        "pinecone_api_key", r"pcsk_[A-Za-z0-9]{5,6}_[A-Za-z0-9]{63}(?![A-Za-z0-9])", ("pcsk_",)
    ),
    _Vendor(
        "langsmith_api_key",
        r"lsv[0-9]_(?:pt|sk)_[a-f0-9]{32}_[a-f0-9]{10}(?![A-Za-z0-9])",
        ("lsv",),  # (its digit matched as any digit: "lsv" then "_pt_" or "_sk_")
    ),
    _Vendor("nvidia_api_key", rf"nvapi-[{_T}]{{64}}(?![{_T}])", ("nvapi-",)),
    _Vendor("tavily_api_key", r"tvly-(?:dev-|prod-)?[A-Za-z0-9]{32}(?![A-Za-z0-9])", ("tvly-",)),
)
