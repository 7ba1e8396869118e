"""What the chain says to the language model, and the fixed texts it answers with."""

from __future__ import annotations

from langchain_core.prompts import ChatPromptTemplate

NOT_FOUND = "NOT IN DOCUMENTS"
ABSTAIN_TEXT = (
    "I could not find this in the plant documents, so I will not guess. "
    "The closest passages are listed below; for anything safety-related ask your shift leader."
)
UNTIED_NOTICE = (
    "The generated answer could not be tied to the sources; here are the relevant passages instead."
)

ANSWER_PROMPT = ChatPromptTemplate.from_messages(
    [
        (
            "system",
            "You are Plant Assistant at the Kestrel Fluid Components Brackwater plant. Answer the "
            "question using only the numbered sources. End every sentence with the number of its "
            "source in square brackets, like [2]. Keep numbers, codes and part numbers exactly as "
            "written. Quote safety steps word for word. If the sources do not answer the question, "
            f"reply exactly: {NOT_FOUND}",
        ),
        ("human", "Sources:\n{context}\n\nQuestion: {question}"),
    ]
)
REPLY_PROMPT = ChatPromptTemplate.from_messages(
    [
        (
            "system",
            "You are a customer service agent at Kestrel Fluid Components. Draft a short, polite "
            "reply to the customer's message using only the numbered sources. End every sentence "
            "that states a fact with the number of its source in square brackets, like [2]. Keep "
            "numbers, part numbers and deadlines exactly as written. If the sources do not cover "
            f"the request, reply exactly: {NOT_FOUND}",
        ),
        ("human", "Sources:\n{context}\n\nCustomer message: {question}"),
    ]
)
REPLY_OPENING = (
    "Draft reply — check it before sending:\n\nDear customer,\n\nThank you for your message."
)
REPLY_CLOSING = "\n\nKind regards,\nCustomer Service, Kestrel Fluid Components"
CONDENSE_PROMPT = ChatPromptTemplate.from_messages(
    [
        (
            "system",
            "Rewrite the last question so it can be understood without the conversation. "
            "Reply with the question only.",
        ),
        ("human", "Conversation:\n{history}\n\nLast question: {question}"),
    ]
)
