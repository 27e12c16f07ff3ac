<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN" sourcelanguage="en">
<context>
    <name>AboutDialog</name>
    <message>
        <location filename="../../ui/help_dialogs.py" line="89"/>
        <source>About %1</source>
        <translation>关于 %1</translation>
    </message>
    <message>
        <location filename="../../ui/help_dialogs.py" line="99"/>
        <source>A desktop assistant for the OpenAI API and OpenAI-compatible servers. API keys stay in your system keyring.</source>
        <translation>适用于 OpenAI API 及兼容服务器的桌面助手。API 密钥只保存在系统密钥环中。</translation>
    </message>
    <message>
        <location filename="../../ui/help_dialogs.py" line="104"/>
        <source>Built with these components, under their licences:</source>
        <translation>本应用使用了以下组件（遵循各自的许可证）：</translation>
    </message>
    <message>
        <location filename="../../ui/help_dialogs.py" line="106"/>
        <source>Component</source>
        <translation>组件</translation>
    </message>
    <message>
        <location filename="../../ui/help_dialogs.py" line="106"/>
        <source>Version</source>
        <translation>版本</translation>
    </message>
    <message>
        <location filename="../../ui/help_dialogs.py" line="106"/>
        <source>Licence</source>
        <translation>许可证</translation>
    </message>
    <message>
        <location filename="../../ui/help_dialogs.py" line="106"/>
        <source>Home page</source>
        <translation>主页</translation>
    </message>
</context>
<context>
    <name>AssistantMessageWidget</name>
    <message>
        <location filename="../../ui/message_widgets.py" line="573"/>
        <source>Copy</source>
        <translation>复制</translation>
    </message>
    <message>
        <location filename="../../ui/message_widgets.py" line="575"/>
        <source>Continue with this choice</source>
        <translation>用这个回复继续</translation>
    </message>
    <message>
        <location filename="../../ui/message_widgets.py" line="602"/>
        <source>Copy reply</source>
        <translation>复制回复</translation>
    </message>
    <message>
        <location filename="../../ui/message_widgets.py" line="603"/>
        <source>Regenerate</source>
        <translation>重新生成</translation>
    </message>
    <message>
        <location filename="../../ui/message_widgets.py" line="604"/>
        <source>Reproduce</source>
        <translation>重现</translation>
    </message>
    <message>
        <location filename="../../ui/message_widgets.py" line="607"/>
        <location filename="../../ui/message_widgets.py" line="797"/>
        <location filename="../../ui/message_widgets.py" line="814"/>
        <source>Show as text</source>
        <translation>以文本显示</translation>
    </message>
    <message>
        <location filename="../../ui/message_widgets.py" line="610"/>
        <location filename="../../ui/message_widgets.py" line="689"/>
        <source>Read aloud</source>
        <translation>朗读</translation>
    </message>
    <message>
        <location filename="../../ui/message_widgets.py" line="659"/>
        <source>Writing…</source>
        <translation>正在生成…</translation>
    </message>
    <message>
        <location filename="../../ui/message_widgets.py" line="689"/>
        <source>Stop reading aloud</source>
        <translation>停止朗读</translation>
    </message>
    <message>
        <location filename="../../ui/message_widgets.py" line="710"/>
        <source>Choice %1</source>
        <translation>回复 %1</translation>
    </message>
    <message>
        <location filename="../../ui/message_widgets.py" line="728"/>
        <source>system_fingerprint %1: the same seed and settings reproduce this reply on the same backend. Click to run the same request again.</source>
        <translation>system_fingerprint %1：在同一后端上，相同的种子和设置会重现这条回复。点击可再次发送同样的请求。</translation>
    </message>
    <message>
        <location filename="../../ui/message_widgets.py" line="731"/>
        <source>Stopped</source>
        <translation>已停止</translation>
    </message>
    <message>
        <location filename="../../ui/message_widgets.py" line="732"/>
        <source>Interrupted</source>
        <translation>已中断</translation>
    </message>
    <message>
        <location filename="../../ui/message_widgets.py" line="733"/>
        <source>Interrupted by you</source>
        <translation>已被你打断</translation>
    </message>
    <message>
        <location filename="../../ui/message_widgets.py" line="738"/>
        <source>Called tools: %1</source>
        <translation>调用了工具：%1</translation>
    </message>
    <message numerus="yes">
        <location filename="../../ui/message_widgets.py" line="760"/>
        <source>%n tokens</source>
        <translation>
            <numerusform>%n 个 token</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../ui/message_widgets.py" line="746"/>
        <source>Interrupted: the app closed before this reply finished</source>
        <translation>已中断：回复完成前应用已关闭</translation>
    </message>
    <message>
        <location filename="../../ui/message_widgets.py" line="761"/>
        <source>%1 prompt tokens (%2 cached) + %3 completion tokens</source>
        <translation>%1 个提示 token（其中 %2 个命中缓存）+ %3 个生成 token</translation>
    </message>
    <message>
        <location filename="../../ui/message_widgets.py" line="801"/>
        <source>Does not match the schema: %1</source>
        <translation>不符合 Schema：%1</translation>
    </message>
    <message>
        <location filename="../../ui/message_widgets.py" line="805"/>
        <source>Matches the schema</source>
        <translation>符合 Schema</translation>
    </message>
    <message>
        <location filename="../../ui/message_widgets.py" line="814"/>
        <source>Show as tree</source>
        <translation>以树形显示</translation>
    </message>
    <message>
        <location filename="../../ui/message_widgets.py" line="826"/>
        <source>Retry</source>
        <translation>重试</translation>
    </message>
    <message>
        <location filename="../../ui/message_widgets.py" line="827"/>
        <source>Provider settings</source>
        <translation>服务商设置</translation>
    </message>
    <message>
        <location filename="../../ui/message_widgets.py" line="828"/>
        <source>Chat settings</source>
        <translation>对话设置</translation>
    </message>
</context>
<context>
    <name>AttachmentChip</name>
    <message>
        <location filename="../../ui/attachments_strip.py" line="87"/>
        <source>Remove</source>
        <translation>移除</translation>
    </message>
    <message numerus="yes">
        <location filename="../../ui/attachments_strip.py" line="117"/>
        <source>%Ln characters of text</source>
        <translation>
            <numerusform>%Ln 个字符的文本</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../ui/attachments_strip.py" line="123"/>
        <source>link</source>
        <translation>链接</translation>
    </message>
    <message numerus="yes">
        <location filename="../../ui/attachments_strip.py" line="125"/>
        <source>≈ %Ln image tokens</source>
        <translation>
            <numerusform>约 %Ln 个图片 token</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>Attachments</name>
    <message>
        <location filename="../../ui/attachments_strip.py" line="30"/>
        <source>The file is empty.</source>
        <translation>文件是空的。</translation>
    </message>
    <message>
        <location filename="../../ui/attachments_strip.py" line="31"/>
        <source>The file is over 50 MB.</source>
        <translation>文件超过 50 MB。</translation>
    </message>
    <message>
        <location filename="../../ui/attachments_strip.py" line="32"/>
        <source>Not an image (JPEG, PNG, WebP, GIF, BMP or TIFF) or a text file.</source>
        <translation>不是图片（JPEG、PNG、WebP、GIF、BMP、TIFF），也不是文本文件。</translation>
    </message>
    <message>
        <location filename="../../ui/attachments_strip.py" line="34"/>
        <source>This image format is not supported; use JPEG, PNG, WebP, GIF, BMP or TIFF.</source>
        <translation>不支持此图片格式，请使用 JPEG、PNG、WebP、GIF、BMP 或 TIFF。</translation>
    </message>
    <message>
        <location filename="../../ui/attachments_strip.py" line="36"/>
        <source>The image is damaged or incomplete.</source>
        <translation>图片已损坏或不完整。</translation>
    </message>
    <message>
        <location filename="../../ui/attachments_strip.py" line="37"/>
        <source>The image is too large in pixels to open safely.</source>
        <translation>图片像素过多，无法安全打开。</translation>
    </message>
    <message>
        <location filename="../../ui/attachments_strip.py" line="38"/>
        <source>The file cannot be read.</source>
        <translation>无法读取该文件。</translation>
    </message>
    <message>
        <location filename="../../ui/attachments_strip.py" line="39"/>
        <source>The image link cannot be reached.</source>
        <translation>无法访问该图片链接。</translation>
    </message>
    <message>
        <location filename="../../ui/attachments_strip.py" line="40"/>
        <source>Not readable text (UTF-8 or GB18030).</source>
        <translation>不是可读的文本（需为 UTF-8 或 GB18030 编码）。</translation>
    </message>
    <message>
        <location filename="../../ui/attachments_strip.py" line="42"/>
        <source>The image cannot be used.</source>
        <translation>无法使用这张图片。</translation>
    </message>
</context>
<context>
    <name>ChatSettingsDialog</name>
    <message>
        <location filename="../../ui/chat_settings_dialog.py" line="95"/>
        <source>Chat settings</source>
        <translation>对话设置</translation>
    </message>
    <message>
        <location filename="../../ui/chat_settings_dialog.py" line="104"/>
        <source>Basics</source>
        <translation>基本</translation>
    </message>
    <message>
        <location filename="../../ui/chat_settings_dialog.py" line="109"/>
        <source>Pick from the server&apos;s list or type a name, e.g. openai/gpt-4o-mini</source>
        <translation>从服务器提供的列表中选择，或输入模型名称，例如 openai/gpt-4o-mini</translation>
    </message>
    <message>
        <location filename="../../ui/chat_settings_dialog.py" line="111"/>
        <source>Load list</source>
        <translation>获取列表</translation>
    </message>
    <message>
        <location filename="../../ui/chat_settings_dialog.py" line="114"/>
        <source>Model</source>
        <translation>模型</translation>
    </message>
    <message>
        <location filename="../../ui/chat_settings_dialog.py" line="118"/>
        <source>Choose a preset…</source>
        <translation>选择预设…</translation>
    </message>
    <message>
        <location filename="../../ui/chat_settings_dialog.py" line="121"/>
        <source>Save as preset…</source>
        <translation>存为预设…</translation>
    </message>
    <message>
        <location filename="../../ui/chat_settings_dialog.py" line="125"/>
        <source>Preset</source>
        <translation>预设</translation>
    </message>
    <message>
        <location filename="../../ui/chat_settings_dialog.py" line="127"/>
        <source>Optional: how the assistant should behave</source>
        <translation>可选：设定助手的行为方式</translation>
    </message>
    <message>
        <location filename="../../ui/chat_settings_dialog.py" line="129"/>
        <source>System prompt</source>
        <translation>系统提示词</translation>
    </message>
    <message>
        <location filename="../../ui/chat_settings_dialog.py" line="132"/>
        <source>Sampling</source>
        <translation>采样</translation>
    </message>
    <message>
        <location filename="../../ui/chat_settings_dialog.py" line="135"/>
        <source>0–2. Lower is more focused, higher more varied.</source>
        <translation>0–2。数值越低回答越集中，越高越多样。</translation>
    </message>
    <message>
        <location filename="../../ui/chat_settings_dialog.py" line="154"/>
        <source>The same seed and settings give (mostly) the same reply.</source>
        <translation>相同的种子和设置会得到（大致）相同的回复。</translation>
    </message>
    <message>
        <location filename="../../ui/chat_settings_dialog.py" line="235"/>
        <source>JSON object: any valid JSON. JSON schema: the reply follows your schema.</source>
        <translation>JSON 对象：任意有效的 JSON。JSON Schema：回复遵循你给出的结构。</translation>
    </message>
    <message>
        <location filename="../../ui/chat_settings_dialog.py" line="134"/>
        <source>Temperature</source>
        <translation>温度</translation>
    </message>
    <message>
        <location filename="../../ui/chat_settings_dialog.py" line="138"/>
        <source>0–1. Nucleus sampling; change this or temperature, not both.</source>
        <translation>0–1。核采样；建议只调整此项或温度之一，不要同时调整。</translation>
    </message>
    <message>
        <location filename="../../ui/chat_settings_dialog.py" line="137"/>
        <source>Top p</source>
        <translation>Top P</translation>
    </message>
    <message>
        <location filename="../../ui/chat_settings_dialog.py" line="140"/>
        <source>Max tokens</source>
        <translation>最大 token 数</translation>
    </message>
    <message>
        <location filename="../../ui/chat_settings_dialog.py" line="201"/>
        <source>Images are sent again with every question. Keep only those of the last N questions to save tokens (unset: all).</source>
        <translation>每次提问都会重新发送图片。只保留最近 N 个问题中的图片以节省 token（不设置则全部保留）。</translation>
    </message>
    <message>
        <location filename="../../ui/chat_settings_dialog.py" line="200"/>
        <source>Images of last N questions</source>
        <translation>保留最近 N 个问题的图片</translation>
    </message>
    <message>
        <location filename="../../ui/chat_settings_dialog.py" line="141"/>
        <source>The longest reply, in tokens (sent as max_completion_tokens to OpenAI).</source>
        <translation>单次回复的最大长度（以 token 计；发送给 OpenAI 时为 max_completion_tokens）。</translation>
    </message>
    <message>
        <location filename="../../ui/chat_settings_dialog.py" line="143"/>
        <source>Presence penalty</source>
        <translation>存在惩罚</translation>
    </message>
    <message>
        <location filename="../../ui/chat_settings_dialog.py" line="144"/>
        <source>−2–2. Positive values nudge the model towards new topics.</source>
        <translation>−2–2。正值会促使模型谈论新话题。</translation>
    </message>
    <message>
        <location filename="../../ui/chat_settings_dialog.py" line="146"/>
        <source>Frequency penalty</source>
        <translation>频率惩罚</translation>
    </message>
    <message>
        <location filename="../../ui/chat_settings_dialog.py" line="147"/>
        <source>−2–2. Positive values make repeating the same words less likely.</source>
        <translation>−2–2。正值会降低重复相同词语的可能性。</translation>
    </message>
    <message>
        <location filename="../../ui/chat_settings_dialog.py" line="153"/>
        <source>Seed</source>
        <translation>随机种子</translation>
    </message>
    <message>
        <location filename="../../ui/chat_settings_dialog.py" line="160"/>
        <source>Choices (n)</source>
        <translation>回复数量 (n)</translation>
    </message>
    <message>
        <location filename="../../ui/chat_settings_dialog.py" line="161"/>
        <source>Several replies to each question, shown as tabs; you pick the one to continue with (each costs its output tokens).</source>
        <translation>每个问题生成多条回复，以标签页显示；由你选择用哪一条继续（每条都会计费输出 token）。</translation>
    </message>
    <message>
        <location filename="../../ui/chat_settings_dialog.py" line="167"/>
        <source>stop %1</source>
        <translation>停止词 %1</translation>
    </message>
    <message>
        <location filename="../../ui/chat_settings_dialog.py" line="170"/>
        <source>Stop sequences</source>
        <translation>停止序列</translation>
    </message>
    <message>
        <location filename="../../ui/chat_settings_dialog.py" line="171"/>
        <source>Up to 4; the reply ends before any of them. Type \n for a new line.</source>
        <translation>最多 4 个；回复会在遇到其中任意一个之前结束。输入 \n 表示换行。</translation>
    </message>
    <message>
        <location filename="../../ui/chat_settings_dialog.py" line="174"/>
        <source>Context</source>
        <translation>上下文</translation>
    </message>
    <message>
        <location filename="../../ui/chat_settings_dialog.py" line="177"/>
        <source>Context window</source>
        <translation>上下文窗口</translation>
    </message>
    <message>
        <location filename="../../ui/chat_settings_dialog.py" line="179"/>
        <source>Max messages in context</source>
        <translation>上下文最多消息数</translation>
    </message>
    <message>
        <location filename="../../ui/chat_settings_dialog.py" line="180"/>
        <source>Send at most this many recent messages, however short (unset: as many as fit).</source>
        <translation>最多发送这么多条最近的消息，不论长短（不设置：能放下多少就发送多少）。</translation>
    </message>
    <message>
        <location filename="../../ui/chat_settings_dialog.py" line="182"/>
        <source>Leave out the oldest messages</source>
        <translation>省略最早的消息</translation>
    </message>
    <message>
        <location filename="../../ui/chat_settings_dialog.py" line="183"/>
        <source>Summarise the oldest messages</source>
        <translation>总结最早的消息</translation>
    </message>
    <message>
        <location filename="../../ui/chat_settings_dialog.py" line="185"/>
        <source>When the chat is too long</source>
        <translation>对话过长时</translation>
    </message>
    <message>
        <location filename="../../ui/chat_settings_dialog.py" line="186"/>
        <source>The system prompt and your latest question are always sent; a marker in the chat shows where the sent part begins.</source>
        <translation>系统提示词和你的最新问题总会发送；对话中会用标记显示发送部分从哪里开始。</translation>
    </message>
    <message>
        <location filename="../../ui/chat_settings_dialog.py" line="192"/>
        <source>the chat&apos;s model</source>
        <translation>对话所用模型</translation>
    </message>
    <message>
        <location filename="../../ui/chat_settings_dialog.py" line="193"/>
        <source>Summary model</source>
        <translation>总结模型</translation>
    </message>
    <message>
        <location filename="../../ui/chat_settings_dialog.py" line="194"/>
        <source>A cheaper model can write the summaries; empty: the chat&apos;s own model.</source>
        <translation>可以用更便宜的模型来写总结；留空则使用对话本身的模型。</translation>
    </message>
    <message>
        <location filename="../../ui/chat_settings_dialog.py" line="205"/>
        <source>Tools</source>
        <translation>工具</translation>
    </message>
    <message>
        <location filename="../../ui/chat_settings_dialog.py" line="209"/>
        <source>Calculator: exact arithmetic</source>
        <translation>计算器：精确计算</translation>
    </message>
    <message>
        <location filename="../../ui/chat_settings_dialog.py" line="210"/>
        <source>Current date and time, in any time zone</source>
        <translation>当前日期和时间（可指定任意时区）</translation>
    </message>
    <message>
        <location filename="../../ui/chat_settings_dialog.py" line="211"/>
        <source>Unit conversion (length, weight, temperature, …)</source>
        <translation>单位换算（长度、重量、温度等）</translation>
    </message>
    <message>
        <location filename="../../ui/chat_settings_dialog.py" line="212"/>
        <source>Read the text files attached to this chat</source>
        <translation>读取本对话中附加的文本文件</translation>
    </message>
    <message>
        <location filename="../../ui/chat_settings_dialog.py" line="219"/>
        <source>The model may call the tools that are on; each call shows in the chat with its arguments and result. Tools that change anything ask you first.</source>
        <translation>模型可以调用已开启的工具；每次调用都会连同参数和结果显示在对话中。会更改内容的工具会先征求你的同意。</translation>
    </message>
    <message>
        <location filename="../../ui/chat_settings_dialog.py" line="222"/>
        <source>This provider&apos;s server refused tools, so they are not sent to it.</source>
        <translation>此服务商的服务器不支持工具，因此不会向它发送工具。</translation>
    </message>
    <message>
        <location filename="../../ui/chat_settings_dialog.py" line="228"/>
        <source>Output</source>
        <translation>输出</translation>
    </message>
    <message>
        <location filename="../../ui/chat_settings_dialog.py" line="230"/>
        <source>Text</source>
        <translation>文本</translation>
    </message>
    <message>
        <location filename="../../ui/chat_settings_dialog.py" line="231"/>
        <source>JSON object</source>
        <translation>JSON 对象</translation>
    </message>
    <message>
        <location filename="../../ui/chat_settings_dialog.py" line="232"/>
        <source>JSON schema (structured output)</source>
        <translation>JSON Schema（结构化输出）</translation>
    </message>
    <message>
        <location filename="../../ui/chat_settings_dialog.py" line="234"/>
        <source>Reply format</source>
        <translation>回复格式</translation>
    </message>
    <message>
        <location filename="../../ui/chat_settings_dialog.py" line="240"/>
        <source>Start from a template…</source>
        <translation>从模板开始…</translation>
    </message>
    <message>
        <location filename="../../ui/chat_settings_dialog.py" line="241"/>
        <source>Extract an event</source>
        <translation>提取事件</translation>
    </message>
    <message>
        <location filename="../../ui/chat_settings_dialog.py" line="242"/>
        <source>Step-by-step math solution</source>
        <translation>分步数学解答</translation>
    </message>
    <message>
        <location filename="../../ui/chat_settings_dialog.py" line="243"/>
        <source>Content classification</source>
        <translation>内容分类</translation>
    </message>
    <message>
        <location filename="../../ui/chat_settings_dialog.py" line="247"/>
        <source>Template</source>
        <translation>模板</translation>
    </message>
    <message>
        <location filename="../../ui/chat_settings_dialog.py" line="249"/>
        <source>Name</source>
        <translation>名称</translation>
    </message>
    <message>
        <location filename="../../ui/chat_settings_dialog.py" line="257"/>
        <source>JSON schema</source>
        <translation>JSON Schema</translation>
    </message>
    <message>
        <location filename="../../ui/chat_settings_dialog.py" line="258"/>
        <source>Strict: the reply must match the schema exactly</source>
        <translation>严格模式：回复必须完全符合 Schema</translation>
    </message>
    <message>
        <location filename="../../ui/chat_settings_dialog.py" line="271"/>
        <source>Save as default for new chats</source>
        <translation>设为新对话的默认设置</translation>
    </message>
    <message>
        <location filename="../../ui/chat_settings_dialog.py" line="359"/>
        <source>Save as preset</source>
        <translation>存为预设</translation>
    </message>
    <message>
        <location filename="../../ui/chat_settings_dialog.py" line="359"/>
        <source>Name:</source>
        <translation>名称：</translation>
    </message>
    <message>
        <location filename="../../ui/chat_settings_dialog.py" line="380"/>
        <source>Not known for this model: set it to have long chats trimmed.</source>
        <translation>未知此模型的窗口大小：设置后，过长的对话会被裁剪。</translation>
    </message>
    <message>
        <location filename="../../ui/chat_settings_dialog.py" line="382"/>
        <source>Known for this model: %1 tokens (unset uses it).</source>
        <translation>此模型的窗口为 %1 个 token（不设置即使用该值）。</translation>
    </message>
    <message>
        <location filename="../../ui/chat_settings_dialog.py" line="399"/>
        <source>The schema is valid.</source>
        <translation>Schema 有效。</translation>
    </message>
    <message>
        <location filename="../../ui/chat_settings_dialog.py" line="451"/>
        <source>Loading models…</source>
        <translation>正在加载模型…</translation>
    </message>
    <message>
        <location filename="../../ui/chat_settings_dialog.py" line="463"/>
        <source>you can still type a model name.</source>
        <translation>仍可手动输入模型名称。</translation>
    </message>
    <message numerus="yes">
        <location filename="../../ui/chat_settings_dialog.py" line="471"/>
        <source>%n models available</source>
        <translation>
            <numerusform>%n 个可用模型</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>Composer</name>
    <message>
        <location filename="../../ui/composer.py" line="94"/>
        <source>Message the assistant…</source>
        <translation>给助手发送消息…</translation>
    </message>
    <message>
        <location filename="../../ui/composer.py" line="105"/>
        <source>Chat settings: model, system prompt, temperature…</source>
        <translation>对话设置：模型、系统提示词、温度…</translation>
    </message>
    <message>
        <location filename="../../ui/composer.py" line="111"/>
        <source>Attach images or text files (or drop or paste them)</source>
        <translation>添加图片或文本文件（也可拖放或粘贴）</translation>
    </message>
    <message>
        <location filename="../../ui/composer.py" line="117"/>
        <source>Detail: auto</source>
        <translation>细节：自动</translation>
    </message>
    <message>
        <location filename="../../ui/composer.py" line="117"/>
        <source>Detail: low</source>
        <translation>细节：低</translation>
    </message>
    <message>
        <location filename="../../ui/composer.py" line="118"/>
        <source>Detail: high</source>
        <translation>细节：高</translation>
    </message>
    <message>
        <location filename="../../ui/composer.py" line="120"/>
        <source>How closely the model looks at images: low is 85 tokens per image; high sees fine detail at up to ~1,100 tokens; auto lets the server choose.</source>
        <translation>模型查看图片的精细程度：低为每张 85 个 token；高可看清细节，每张最多约 1,100 个 token；自动由服务器决定。</translation>
    </message>
    <message>
        <location filename="../../ui/composer.py" line="138"/>
        <source>Retry transcription</source>
        <translation>重新转写</translation>
    </message>
    <message>
        <location filename="../../ui/composer.py" line="153"/>
        <source>Voice conversation: what you say is sent when you let go, and replies are spoken while they are written</source>
        <translation>语音对话：松开即发送你说的话，回复会一边生成一边朗读</translation>
    </message>
    <message>
        <location filename="../../ui/composer.py" line="242"/>
        <source>Voice conversation: hold the microphone or %1 to talk.</source>
        <translation>语音对话：按住麦克风或 %1 说话。</translation>
    </message>
    <message>
        <location filename="../../ui/composer.py" line="244"/>
        <source>Voice conversation: hold the microphone to talk.</source>
        <translation>语音对话：按住麦克风说话。</translation>
    </message>
    <message>
        <location filename="../../ui/composer.py" line="254"/>
        <source>Hold to talk; release to send. Talking while a reply is spoken interrupts it.</source>
        <translation>按住说话，松开发送。在朗读回复时说话会打断它。</translation>
    </message>
    <message>
        <location filename="../../ui/composer.py" line="256"/>
        <source>Hold to talk; release to transcribe into the message.</source>
        <translation>按住说话，松开后转写到消息框。</translation>
    </message>
    <message>
        <location filename="../../ui/composer.py" line="258"/>
        <source>Or hold %1.</source>
        <translation>也可以按住 %1。</translation>
    </message>
    <message>
        <location filename="../../ui/composer.py" line="266"/>
        <source>Recording… release to stop</source>
        <translation>正在录音…松开即停止</translation>
    </message>
    <message>
        <location filename="../../ui/composer.py" line="273"/>
        <source>Recording… %1 s</source>
        <translation>正在录音… %1 秒</translation>
    </message>
    <message>
        <location filename="../../ui/composer.py" line="297"/>
        <source>Attach images or text files</source>
        <translation>添加图片或文本文件</translation>
    </message>
    <message>
        <location filename="../../ui/composer.py" line="298"/>
        <source>Images and text files (%1);;Images (*.png *.jpg *.jpeg *.webp *.gif *.bmp *.tif *.tiff);;All files (*)</source>
        <translation>图片和文本文件 (%1);;图片 (*.png *.jpg *.jpeg *.webp *.gif *.bmp *.tif *.tiff);;所有文件 (*)</translation>
    </message>
    <message>
        <location filename="../../ui/composer.py" line="323"/>
        <source>Pasted image</source>
        <translation>粘贴的图片</translation>
    </message>
    <message>
        <location filename="../../ui/composer.py" line="371"/>
        <source>Estimated prompt tokens of this request: the chat so far %1, this message %2, images %3.</source>
        <translation>本次请求的提示 token 估算：之前的对话 %1，本条消息 %2，图片 %3。</translation>
    </message>
    <message>
        <location filename="../../ui/composer.py" line="375"/>
        <source>Preparing images…</source>
        <translation>正在处理图片…</translation>
    </message>
    <message numerus="yes">
        <location filename="../../ui/composer.py" line="377"/>
        <location filename="../../ui/composer.py" line="380"/>
        <source>≈ %Ln tokens</source>
        <translation>
            <numerusform>约 %Ln 个 token</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../../ui/composer.py" line="378"/>
        <source>(%Ln for images)</source>
        <translation>
            <numerusform>（其中图片 %Ln 个）</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../ui/composer.py" line="394"/>
        <source>Stop (Esc)</source>
        <translation>停止 (Esc)</translation>
    </message>
    <message>
        <location filename="../../ui/composer.py" line="399"/>
        <source>Send (Enter)</source>
        <translation>发送 (Enter)</translation>
    </message>
</context>
<context>
    <name>ContextMarker</name>
    <message numerus="yes">
        <location filename="../../ui/message_widgets.py" line="418"/>
        <source>%n earlier messages summarised to fit the model&apos;s context window</source>
        <translation>
            <numerusform>为适应模型的上下文窗口，已总结之前的 %n 条消息</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../../ui/message_widgets.py" line="420"/>
        <source>%n earlier messages left out to fit the model&apos;s context window</source>
        <translation>
            <numerusform>为适应模型的上下文窗口，已省略之前的 %n 条消息</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../ui/message_widgets.py" line="425"/>
        <location filename="../../ui/message_widgets.py" line="446"/>
        <source>Show summary</source>
        <translation>显示总结</translation>
    </message>
    <message>
        <location filename="../../ui/message_widgets.py" line="439"/>
        <source>No summary could be written: %1</source>
        <translation>无法生成总结：%1</translation>
    </message>
    <message>
        <location filename="../../ui/message_widgets.py" line="446"/>
        <source>Hide summary</source>
        <translation>隐藏总结</translation>
    </message>
</context>
<context>
    <name>ConversationList</name>
    <message>
        <location filename="../../ui/conversation_list.py" line="39"/>
        <location filename="../../ui/conversation_list.py" line="82"/>
        <location filename="../../ui/conversation_list.py" line="100"/>
        <source>New chat</source>
        <translation>新建对话</translation>
    </message>
    <message>
        <location filename="../../ui/conversation_list.py" line="42"/>
        <source>New chat (Ctrl+N)</source>
        <translation>新建对话 (Ctrl+N)</translation>
    </message>
    <message>
        <location filename="../../ui/conversation_list.py" line="46"/>
        <source>Search chats (Ctrl+F)</source>
        <translation>搜索对话 (Ctrl+F)</translation>
    </message>
    <message>
        <location filename="../../ui/conversation_list.py" line="48"/>
        <source>No chat contains this text.</source>
        <translation>没有对话包含这段文字。</translation>
    </message>
    <message>
        <location filename="../../ui/conversation_list.py" line="142"/>
        <source>Rename chat</source>
        <translation>重命名对话</translation>
    </message>
    <message>
        <location filename="../../ui/conversation_list.py" line="142"/>
        <source>Title:</source>
        <translation>标题：</translation>
    </message>
    <message>
        <location filename="../../ui/conversation_list.py" line="151"/>
        <source>Delete chat</source>
        <translation>删除对话</translation>
    </message>
    <message>
        <location filename="../../ui/conversation_list.py" line="152"/>
        <source>Delete “%1” and all its messages? This cannot be undone.</source>
        <translation>要删除“%1”及其全部消息吗？此操作无法撤销。</translation>
    </message>
    <message>
        <location filename="../../ui/conversation_list.py" line="166"/>
        <source>Rename…</source>
        <translation>重命名…</translation>
    </message>
    <message>
        <location filename="../../ui/conversation_list.py" line="167"/>
        <source>Delete…</source>
        <translation>删除…</translation>
    </message>
</context>
<context>
    <name>EmptyState</name>
    <message>
        <location filename="../../ui/chat_view.py" line="66"/>
        <source>What can I help with?</source>
        <translation>有什么可以帮你的？</translation>
    </message>
    <message>
        <location filename="../../ui/chat_view.py" line="75"/>
        <source>Type a question and press Enter to send; Shift+Enter starts a new line.</source>
        <translation>输入问题后按 Enter 发送，按 Shift+Enter 换行。</translation>
    </message>
    <message>
        <location filename="../../ui/chat_view.py" line="77"/>
        <source>Drop, paste or attach images to ask about them.</source>
        <translation>拖放、粘贴或添加图片，就可以针对图片提问。</translation>
    </message>
    <message>
        <location filename="../../ui/chat_view.py" line="79"/>
        <source>Hold the microphone button to talk: your words are typed into the message.</source>
        <translation>按住麦克风按钮说话：你说的话会转成文字放进消息框。</translation>
    </message>
    <message>
        <location filename="../../ui/chat_view.py" line="81"/>
        <source>Replies stream in as Markdown, with code you can copy in one click.</source>
        <translation>回复以 Markdown 格式实时显示，代码可一键复制。</translation>
    </message>
    <message>
        <location filename="../../ui/chat_view.py" line="83"/>
        <source>Chat settings (model, system prompt, temperature) are behind the sliders button.</source>
        <translation>点击滑块按钮可打开对话设置（模型、系统提示词、温度）。</translation>
    </message>
</context>
<context>
    <name>Errors</name>
    <message>
        <location filename="../../ui/error_text.py" line="36"/>
        <source>No API key</source>
        <translation>缺少 API 密钥</translation>
    </message>
    <message>
        <location filename="../../ui/error_text.py" line="37"/>
        <source>Add an API key for this provider to start chatting.</source>
        <translation>请为此服务商添加 API 密钥，然后即可开始对话。</translation>
    </message>
    <message>
        <location filename="../../ui/error_text.py" line="40"/>
        <source>The API key was refused (401)</source>
        <translation>API 密钥被拒绝（401）</translation>
    </message>
    <message>
        <location filename="../../ui/error_text.py" line="41"/>
        <source>Check the key in the provider settings; it may be mistyped, revoked or for another server.</source>
        <translation>请在服务商设置中检查密钥：它可能输入有误、已被吊销，或属于其他服务器。</translation>
    </message>
    <message>
        <location filename="../../ui/error_text.py" line="45"/>
        <source>Access denied (403)</source>
        <translation>访问被拒绝（403）</translation>
    </message>
    <message>
        <location filename="../../ui/error_text.py" line="46"/>
        <source>This key may not use this model or endpoint, or your region is not supported.</source>
        <translation>此密钥可能无权使用该模型或接口，或者你所在的地区不受支持。</translation>
    </message>
    <message>
        <location filename="../../ui/error_text.py" line="50"/>
        <source>Model not found (404)</source>
        <translation>找不到模型（404）</translation>
    </message>
    <message>
        <location filename="../../ui/error_text.py" line="51"/>
        <source>The server does not offer this model. Pick another model in the chat settings.</source>
        <translation>服务器未提供此模型。请在对话设置中选择其他模型。</translation>
    </message>
    <message>
        <location filename="../../ui/error_text.py" line="55"/>
        <source>Rate limit reached (429)</source>
        <translation>已达到速率限制（429）</translation>
    </message>
    <message>
        <location filename="../../ui/error_text.py" line="56"/>
        <source>Too many requests for now. Wait a moment, then retry.</source>
        <translation>当前请求过多。请稍等片刻再重试。</translation>
    </message>
    <message>
        <location filename="../../ui/error_text.py" line="59"/>
        <source>Quota used up (429)</source>
        <translation>额度已用完（429）</translation>
    </message>
    <message>
        <location filename="../../ui/error_text.py" line="60"/>
        <source>Your account has no credit or quota left. Check billing with your provider.</source>
        <translation>你的账户已没有余额或额度。请前往服务商查看账单。</translation>
    </message>
    <message>
        <location filename="../../ui/error_text.py" line="64"/>
        <source>The server had a problem</source>
        <translation>服务器出现问题</translation>
    </message>
    <message>
        <location filename="../../ui/error_text.py" line="65"/>
        <source>The provider returned a server error. It is usually temporary; retry in a moment.</source>
        <translation>服务商返回了服务器错误。这通常是暂时的，请稍后重试。</translation>
    </message>
    <message>
        <location filename="../../ui/error_text.py" line="69"/>
        <source>The request timed out</source>
        <translation>请求超时</translation>
    </message>
    <message>
        <location filename="../../ui/error_text.py" line="70"/>
        <source>The server did not answer in time. Check your connection or proxy, then retry.</source>
        <translation>服务器未及时响应。请检查网络连接或代理，然后重试。</translation>
    </message>
    <message>
        <location filename="../../ui/error_text.py" line="74"/>
        <source>Could not connect</source>
        <translation>无法连接</translation>
    </message>
    <message>
        <location filename="../../ui/error_text.py" line="75"/>
        <source>The server could not be reached. Check the base URL, your network and proxy settings.</source>
        <translation>无法连接到服务器。请检查 API 地址、网络和代理设置。</translation>
    </message>
    <message>
        <location filename="../../ui/error_text.py" line="79"/>
        <source>The connection dropped mid-reply</source>
        <translation>回复过程中连接中断</translation>
    </message>
    <message>
        <location filename="../../ui/error_text.py" line="80"/>
        <source>The text received so far is kept. Regenerate to get a complete reply.</source>
        <translation>已收到的内容已保留。重新生成即可获得完整回复。</translation>
    </message>
    <message>
        <location filename="../../ui/error_text.py" line="83"/>
        <source>The conversation is too long for this model</source>
        <translation>对话过长，超出此模型的上下文长度</translation>
    </message>
    <message>
        <location filename="../../ui/error_text.py" line="84"/>
        <source>Start a new chat, edit an earlier message to shorten it, or pick a model with a larger context window.</source>
        <translation>请新建对话、编辑之前的消息以缩短内容，或选择上下文窗口更大的模型。</translation>
    </message>
    <message>
        <location filename="../../ui/error_text.py" line="88"/>
        <source>This model does not accept images</source>
        <translation>此模型不支持图片</translation>
    </message>
    <message>
        <location filename="../../ui/error_text.py" line="89"/>
        <source>Pick a vision model in the chat settings (for example gpt-4o or gpt-4o-mini; llava or qwen2.5-vl on local servers), then retry.</source>
        <translation>请在对话设置中选择支持视觉的模型（例如 gpt-4o 或 gpt-4o-mini；本地服务器可用 llava 或 qwen2.5-vl），然后重试。</translation>
    </message>
    <message>
        <location filename="../../ui/error_text.py" line="93"/>
        <source>The server does not accept the parameter “%1”</source>
        <translation>服务器不接受参数“%1”</translation>
    </message>
    <message>
        <location filename="../../ui/error_text.py" line="95"/>
        <source>This server or model does not take it, or not with this value. Unset or change it in the chat settings, then retry.</source>
        <translation>此服务器或模型不支持该参数，或不支持这个取值。请在对话设置中取消或修改它，然后重试。</translation>
    </message>
    <message>
        <location filename="../../ui/error_text.py" line="99"/>
        <source>The server rejected the request</source>
        <translation>服务器拒绝了请求</translation>
    </message>
    <message>
        <location filename="../../ui/error_text.py" line="100"/>
        <source>A setting may not be supported by this server or model.</source>
        <translation>此服务器或模型可能不支持某项设置。</translation>
    </message>
    <message>
        <location filename="../../ui/error_text.py" line="102"/>
        <source>Something went wrong</source>
        <translation>出错了</translation>
    </message>
    <message>
        <location filename="../../ui/error_text.py" line="103"/>
        <source>An unexpected error occurred.</source>
        <translation>发生了意外错误。</translation>
    </message>
</context>
<context>
    <name>ImagePreview</name>
    <message>
        <location filename="../../ui/message_widgets.py" line="386"/>
        <source>Image</source>
        <translation>图片</translation>
    </message>
    <message>
        <location filename="../../ui/message_widgets.py" line="403"/>
        <source>Save image</source>
        <translation>保存图片</translation>
    </message>
</context>
<context>
    <name>ImageThumb</name>
    <message numerus="yes">
        <location filename="../../ui/message_widgets.py" line="362"/>
        <source>%Ln characters of text</source>
        <translation>
            <numerusform>%Ln 个字符的文本</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../ui/message_widgets.py" line="368"/>
        <source>image</source>
        <translation>图片</translation>
    </message>
</context>
<context>
    <name>JsonView</name>
    <message numerus="yes">
        <location filename="../../ui/json_view.py" line="48"/>
        <source>%n keys</source>
        <translation>
            <numerusform>%n 个键</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../../ui/json_view.py" line="49"/>
        <source>%n items</source>
        <translation>
            <numerusform>%n 项</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>Keyring</name>
    <message>
        <location filename="../../ui/provider_dialog.py" line="46"/>
        <source>No system keyring is available. Install and start gnome-keyring or KWallet (a Secret Service provider) to keep keys between runs.</source>
        <translation>没有可用的系统密钥环。请安装并启动 gnome-keyring 或 KWallet（Secret Service 提供程序），以便在多次运行之间保留密钥。</translation>
    </message>
    <message>
        <location filename="../../ui/provider_dialog.py" line="49"/>
        <source>The system keyring is locked. Unlock it (log in to your desktop session or open your keyring manager) and try again.</source>
        <translation>系统密钥环已锁定。请先解锁（登录桌面会话，或打开密钥环管理器），然后重试。</translation>
    </message>
    <message>
        <location filename="../../ui/provider_dialog.py" line="51"/>
        <source>The system keyring could not be reached over D-Bus. Make sure a desktop session with a Secret Service (gnome-keyring, KWallet) is running.</source>
        <translation>无法通过 D-Bus 访问系统密钥环。请确认正在运行带有 Secret Service（gnome-keyring、KWallet）的桌面会话。</translation>
    </message>
    <message>
        <location filename="../../ui/provider_dialog.py" line="54"/>
        <source>The only keyring available stores keys as plain files, which this app refuses. Install gnome-keyring or KWallet.</source>
        <translation>唯一可用的密钥环会以明文文件保存密钥，本应用不接受这种方式。请安装 gnome-keyring 或 KWallet。</translation>
    </message>
    <message>
        <location filename="../../ui/provider_dialog.py" line="57"/>
        <source>The system keyring failed.</source>
        <translation>系统密钥环出错。</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <location filename="../../ui/main_window.py" line="92"/>
        <source>Desktop Assistant</source>
        <translation>桌面助手</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="221"/>
        <source>&amp;Chat</source>
        <translation>对话(&amp;C)</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="222"/>
        <source>&amp;New chat</source>
        <translation>新建对话(&amp;N)</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="223"/>
        <source>Chat &amp;settings…</source>
        <translation>对话设置(&amp;S)…</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="225"/>
        <source>&amp;Provider…</source>
        <translation>服务商(&amp;P)…</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="226"/>
        <source>P&amp;references…</source>
        <translation>偏好设置(&amp;R)…</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="229"/>
        <source>&amp;Quit</source>
        <translation>退出(&amp;Q)</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="230"/>
        <source>Searc&amp;h chats</source>
        <translation>搜索对话(&amp;H)</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="232"/>
        <source>&amp;Usage and costs…</source>
        <translation>用量与费用(&amp;U)…</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="236"/>
        <source>&amp;Voice conversation</source>
        <translation>语音对话(&amp;V)</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="245"/>
        <source>&amp;Help</source>
        <translation>帮助(&amp;H)</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="246"/>
        <source>&amp;Keyboard shortcuts</source>
        <translation>键盘快捷键(&amp;K)</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="248"/>
        <source>Open &amp;logs folder</source>
        <translation>打开日志文件夹(&amp;L)</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="251"/>
        <source>&amp;About Desktop Assistant</source>
        <translation>关于桌面助手(&amp;A)</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="304"/>
        <source>Images are still being prepared…</source>
        <translation>图片仍在处理中…</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="314"/>
        <source>Chat settings</source>
        <translation>对话设置</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="358"/>
        <source>The API key cannot be read</source>
        <translation>无法读取 API 密钥</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="360"/>
        <source>Read the keyring again</source>
        <translation>重新读取密钥环</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="361"/>
        <source>Enter the key…</source>
        <translation>输入密钥…</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="401"/>
        <source>This server does not take tools: the request was sent without them, and tools stay off for this provider.</source>
        <translation>此服务器不支持工具：请求已在不带工具的情况下发送，并且此服务商今后不再使用工具。</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="408"/>
        <source>Allow this action?</source>
        <translation>允许此操作吗？</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="409"/>
        <source>The assistant wants to use “%1”: %2</source>
        <translation>助手想要使用“%1”：%2</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="412"/>
        <source>Allow</source>
        <translation>允许</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="413"/>
        <source>Don&apos;t allow</source>
        <translation>不允许</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="429"/>
        <source>Last reply: %1 prompt + %2 completion tokens</source>
        <translation>上次回复：输入 %1 + 输出 %2 个 token</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="589"/>
        <source>The shortcut %1 could not be set up: another application may use it.</source>
        <translation>无法设置快捷键 %1：可能已被其他应用占用。</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="591"/>
        <source>System-wide shortcuts are not available on this desktop.</source>
        <translation>此桌面环境不支持全局快捷键。</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="656"/>
        <source>Speaking — hold the microphone or %1 to interrupt.</source>
        <translation>正在朗读 — 按住麦克风或 %1 即可打断。</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="657"/>
        <source>the button</source>
        <translation>按钮</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="667"/>
        <source>Reading aloud failed: %1</source>
        <translation>朗读失败：%1</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="673"/>
        <source>No provider set up — Chat ▸ Provider…</source>
        <translation>尚未设置服务商——请前往“对话 ▸ 服务商…”</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="676"/>
        <source>OPENAI_* environment variables</source>
        <translation>OPENAI_* 环境变量</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="678"/>
        <source> (overridden by OPENAI_* variables)</source>
        <translation>（已被 OPENAI_* 变量覆盖）</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="733"/>
        <source>Drop images to attach them</source>
        <translation>松开鼠标即可添加图片</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="734"/>
        <source>Message the assistant…</source>
        <translation>给助手发送消息…</translation>
    </message>
</context>
<context>
    <name>OptionalNumber</name>
    <message>
        <location filename="../../ui/chat_settings_dialog.py" line="60"/>
        <source>Set</source>
        <translation>自定义</translation>
    </message>
</context>
<context>
    <name>PreferencesDialog</name>
    <message>
        <location filename="../../ui/preferences_dialog.py" line="46"/>
        <source>Preferences</source>
        <translation>偏好设置</translation>
    </message>
    <message>
        <location filename="../../ui/preferences_dialog.py" line="53"/>
        <source>General</source>
        <translation>常规</translation>
    </message>
    <message>
        <location filename="../../ui/preferences_dialog.py" line="61"/>
        <source>Voice</source>
        <translation>语音</translation>
    </message>
    <message>
        <location filename="../../ui/preferences_dialog.py" line="63"/>
        <source>Providers</source>
        <translation>服务商</translation>
    </message>
    <message>
        <location filename="../../ui/preferences_dialog.py" line="76"/>
        <source>Add…</source>
        <translation>添加…</translation>
    </message>
    <message>
        <location filename="../../ui/preferences_dialog.py" line="77"/>
        <source>Edit…</source>
        <translation>编辑…</translation>
    </message>
    <message>
        <location filename="../../ui/preferences_dialog.py" line="78"/>
        <source>Use</source>
        <translation>使用</translation>
    </message>
    <message>
        <location filename="../../ui/preferences_dialog.py" line="79"/>
        <source>Delete</source>
        <translation>删除</translation>
    </message>
    <message>
        <location filename="../../ui/preferences_dialog.py" line="92"/>
        <source>System default</source>
        <translation>跟随系统</translation>
    </message>
    <message>
        <location filename="../../ui/preferences_dialog.py" line="96"/>
        <source>Language</source>
        <translation>语言</translation>
    </message>
    <message>
        <location filename="../../ui/preferences_dialog.py" line="98"/>
        <source>Follow the system</source>
        <translation>跟随系统</translation>
    </message>
    <message>
        <location filename="../../ui/preferences_dialog.py" line="99"/>
        <source>Light</source>
        <translation>浅色</translation>
    </message>
    <message>
        <location filename="../../ui/preferences_dialog.py" line="100"/>
        <source>Dark</source>
        <translation>深色</translation>
    </message>
    <message>
        <location filename="../../ui/preferences_dialog.py" line="102"/>
        <source>Theme</source>
        <translation>主题</translation>
    </message>
    <message>
        <location filename="../../ui/preferences_dialog.py" line="104"/>
        <source>Auto (the server decides)</source>
        <translation>自动（由服务器决定）</translation>
    </message>
    <message>
        <location filename="../../ui/preferences_dialog.py" line="105"/>
        <source>Low (85 tokens per image)</source>
        <translation>低（每张 85 个 token）</translation>
    </message>
    <message>
        <location filename="../../ui/preferences_dialog.py" line="106"/>
        <source>High (fine detail, more tokens)</source>
        <translation>高（细节更清晰，token 更多）</translation>
    </message>
    <message>
        <location filename="../../ui/preferences_dialog.py" line="108"/>
        <source>Image detail</source>
        <translation>图片细节</translation>
    </message>
    <message>
        <location filename="../../ui/preferences_dialog.py" line="111"/>
        <source> s</source>
        <translation> 秒</translation>
    </message>
    <message>
        <location filename="../../ui/preferences_dialog.py" line="113"/>
        <source>How long to wait for the server before giving up.</source>
        <translation>等待服务器响应的最长时间，超时即放弃。</translation>
    </message>
    <message>
        <location filename="../../ui/preferences_dialog.py" line="114"/>
        <source>Request timeout</source>
        <translation>请求超时</translation>
    </message>
    <message>
        <location filename="../../ui/preferences_dialog.py" line="118"/>
        <source>Automatic retries on rate limits, server errors and dropped connections.</source>
        <translation>遇到速率限制、服务器错误或连接中断时自动重试的次数。</translation>
    </message>
    <message>
        <location filename="../../ui/preferences_dialog.py" line="119"/>
        <source>Retries</source>
        <translation>重试次数</translation>
    </message>
    <message>
        <location filename="../../ui/preferences_dialog.py" line="120"/>
        <source>Keep running in the tray when the window is closed</source>
        <translation>关闭窗口后在系统托盘中继续运行</translation>
    </message>
    <message>
        <location filename="../../ui/preferences_dialog.py" line="124"/>
        <source>This desktop has no system tray.</source>
        <translation>此桌面环境没有系统托盘。</translation>
    </message>
    <message>
        <location filename="../../ui/preferences_dialog.py" line="131"/>
        <source>Brings the window up from any application, e.g. Ctrl+Alt+Space. Empty: off.</source>
        <translation>在任何应用中按下即可调出窗口，例如 Ctrl+Alt+Space。留空则关闭。</translation>
    </message>
    <message>
        <location filename="../../ui/preferences_dialog.py" line="135"/>
        <source>Not available here: Wayland and macOS do not let apps take system-wide keys.</source>
        <translation>此处不可用：Wayland 和 macOS 不允许应用使用全局快捷键。</translation>
    </message>
    <message>
        <location filename="../../ui/preferences_dialog.py" line="137"/>
        <source>Show window from anywhere</source>
        <translation>全局调出窗口</translation>
    </message>
    <message>
        <location filename="../../ui/preferences_dialog.py" line="139"/>
        <source>Language, theme and network changes apply from the next start.</source>
        <translation>语言、主题和网络设置将在下次启动时生效。</translation>
    </message>
    <message>
        <location filename="../../ui/preferences_dialog.py" line="170"/>
        <source>OPENAI_API_KEY / OPENAI_BASE_URL are set in the environment and override the active provider&apos;s key / URL.</source>
        <translation>环境变量中设置了 OPENAI_API_KEY / OPENAI_BASE_URL，它们会覆盖当前服务商的密钥 / 地址。</translation>
    </message>
    <message>
        <location filename="../../ui/preferences_dialog.py" line="175"/>
        <source>No saved providers: the app uses OPENAI_API_KEY and OPENAI_BASE_URL from the environment. Add one to keep a server and its key.</source>
        <translation>还没有保存的服务商：应用正在使用环境变量中的 OPENAI_API_KEY 和 OPENAI_BASE_URL。添加一个即可保存服务器地址和密钥。</translation>
    </message>
    <message>
        <location filename="../../ui/preferences_dialog.py" line="177"/>
        <source>No saved providers yet. Add one with its server address and key.</source>
        <translation>还没有保存的服务商。添加一个，填入服务器地址和密钥。</translation>
    </message>
    <message>
        <location filename="../../ui/preferences_dialog.py" line="225"/>
        <source>Delete provider</source>
        <translation>删除服务商</translation>
    </message>
    <message>
        <location filename="../../ui/preferences_dialog.py" line="226"/>
        <source>Delete “%1” and its API key from the system keyring?</source>
        <translation>删除“%1”，并从系统密钥环中删除它的 API 密钥？</translation>
    </message>
</context>
<context>
    <name>ProviderDialog</name>
    <message>
        <location filename="../../ui/provider_dialog.py" line="69"/>
        <source>Welcome to Desktop Assistant</source>
        <translation>欢迎使用桌面助手</translation>
    </message>
    <message>
        <location filename="../../ui/provider_dialog.py" line="69"/>
        <source>Provider</source>
        <translation>服务商</translation>
    </message>
    <message>
        <location filename="../../ui/provider_dialog.py" line="75"/>
        <source>Connect to OpenAI with an API key, or to any OpenAI-compatible server: a gateway or proxy with its own base URL, or a local server such as Ollama or LM Studio. Keys are kept only in your system keyring, never in a file.</source>
        <translation>使用 API 密钥连接 OpenAI，或连接任何兼容 OpenAI 的服务：使用自己 API 地址的网关或代理，或者 Ollama、LM Studio 等本地服务器。密钥只保存在系统密钥环中，绝不会写入文件。</translation>
    </message>
    <message>
        <location filename="../../ui/provider_dialog.py" line="80"/>
        <source>Looking for local servers…</source>
        <translation>正在查找本地服务器…</translation>
    </message>
    <message>
        <location filename="../../ui/provider_dialog.py" line="92"/>
        <source>Other (custom URL)</source>
        <translation>其他（自定义 URL）</translation>
    </message>
    <message>
        <location filename="../../ui/provider_dialog.py" line="93"/>
        <source>Preset</source>
        <translation>预设</translation>
    </message>
    <message>
        <location filename="../../ui/provider_dialog.py" line="95"/>
        <source>Name</source>
        <translation>名称</translation>
    </message>
    <message>
        <location filename="../../ui/provider_dialog.py" line="98"/>
        <source>Base URL</source>
        <translation>API 地址</translation>
    </message>
    <message>
        <location filename="../../ui/provider_dialog.py" line="101"/>
        <source>sk-…  (stored in the system keyring)</source>
        <translation>sk-…（保存在系统密钥环中）</translation>
    </message>
    <message>
        <location filename="../../ui/provider_dialog.py" line="103"/>
        <source>A key is stored; type to replace it</source>
        <translation>已保存密钥；输入新密钥即可替换</translation>
    </message>
    <message>
        <location filename="../../ui/provider_dialog.py" line="104"/>
        <source>API key</source>
        <translation>API 密钥</translation>
    </message>
    <message>
        <location filename="../../ui/provider_dialog.py" line="105"/>
        <source>This server needs no key (local server)</source>
        <translation>此服务器无需密钥（本地服务器）</translation>
    </message>
    <message>
        <location filename="../../ui/provider_dialog.py" line="111"/>
        <source>Default model</source>
        <translation>默认模型</translation>
    </message>
    <message>
        <location filename="../../ui/provider_dialog.py" line="113"/>
        <source>Optional, e.g. http://127.0.0.1:7890 (else HTTPS_PROXY is used)</source>
        <translation>可选，例如 http://127.0.0.1:7890（留空则使用 HTTPS_PROXY）</translation>
    </message>
    <message>
        <location filename="../../ui/provider_dialog.py" line="114"/>
        <source>Proxy</source>
        <translation>代理</translation>
    </message>
    <message>
        <location filename="../../ui/provider_dialog.py" line="118"/>
        <source>Test connection</source>
        <translation>测试连接</translation>
    </message>
    <message>
        <location filename="../../ui/provider_dialog.py" line="156"/>
        <source>My provider</source>
        <translation>我的服务商</translation>
    </message>
    <message>
        <location filename="../../ui/provider_dialog.py" line="168"/>
        <source>Connecting…</source>
        <translation>正在连接…</translation>
    </message>
    <message numerus="yes">
        <location filename="../../ui/provider_dialog.py" line="190"/>
        <source>Connected: %n models</source>
        <translation>
            <numerusform>连接成功：%n 个模型</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../ui/provider_dialog.py" line="197"/>
        <source>No local server found (Ollama, LM Studio, llama.cpp, vLLM).</source>
        <translation>未找到本地服务器（Ollama、LM Studio、llama.cpp、vLLM）。</translation>
    </message>
    <message>
        <location filename="../../ui/provider_dialog.py" line="199"/>
        <source>Found running on this computer:</source>
        <translation>在本机上发现正在运行的服务器：</translation>
    </message>
    <message>
        <location filename="../../ui/provider_dialog.py" line="221"/>
        <source>Enter an API key, or tick “needs no key” for a local server.</source>
        <translation>请输入 API 密钥；如果是本地服务器，请勾选“无需密钥”。</translation>
    </message>
    <message>
        <location filename="../../ui/provider_dialog.py" line="234"/>
        <source>The key cannot be saved</source>
        <translation>无法保存密钥</translation>
    </message>
    <message>
        <location filename="../../ui/provider_dialog.py" line="236"/>
        <source>You can use the key for this session only: it stays in memory and is forgotten when the app closes. It is never written to a file.</source>
        <translation>你可以只在本次运行期间使用此密钥：它仅保存在内存中，应用关闭后即被清除，绝不会写入文件。</translation>
    </message>
    <message>
        <location filename="../../ui/provider_dialog.py" line="238"/>
        <source>Use for this session only</source>
        <translation>仅本次运行使用</translation>
    </message>
</context>
<context>
    <name>PushToTalk</name>
    <message>
        <location filename="../../ui/push_to_talk.py" line="164"/>
        <source>The chosen microphone is not connected; recording with the default one.</source>
        <translation>所选麦克风未连接，正在使用默认麦克风录音。</translation>
    </message>
    <message>
        <location filename="../../ui/push_to_talk.py" line="185"/>
        <source>Recording cancelled.</source>
        <translation>已取消录音。</translation>
    </message>
    <message>
        <location filename="../../ui/push_to_talk.py" line="194"/>
        <location filename="../../ui/push_to_talk.py" line="205"/>
        <source>Hold the microphone button while you speak.</source>
        <translation>请在说话时按住麦克风按钮。</translation>
    </message>
    <message>
        <location filename="../../ui/push_to_talk.py" line="208"/>
        <source>Nothing was heard. Check the microphone and its volume.</source>
        <translation>没有录到声音，请检查麦克风和音量。</translation>
    </message>
    <message>
        <location filename="../../ui/push_to_talk.py" line="201"/>
        <location filename="../../ui/push_to_talk.py" line="225"/>
        <source>Transcribing…</source>
        <translation>正在转写…</translation>
    </message>
    <message>
        <location filename="../../ui/push_to_talk.py" line="232"/>
        <location filename="../../ui/push_to_talk.py" line="238"/>
        <source>the recording is kept.</source>
        <translation>录音已保留。</translation>
    </message>
    <message>
        <location filename="../../ui/push_to_talk.py" line="242"/>
        <source>Recording stopped at the time limit (Preferences ▸ Voice).</source>
        <translation>录音已达到时长上限而停止（偏好设置 ▸ 语音）。</translation>
    </message>
    <message>
        <location filename="../../ui/push_to_talk.py" line="245"/>
        <source>No words were recognised. Try again, a little closer to the microphone.</source>
        <translation>没有识别出文字。请靠近麦克风一些再试一次。</translation>
    </message>
</context>
<context>
    <name>ShortcutsDialog</name>
    <message>
        <location filename="../../ui/help_dialogs.py" line="61"/>
        <location filename="../../ui/help_dialogs.py" line="74"/>
        <source>Keyboard shortcuts</source>
        <translation>键盘快捷键</translation>
    </message>
    <message>
        <location filename="../../ui/help_dialogs.py" line="64"/>
        <source>New chat</source>
        <translation>新建对话</translation>
    </message>
    <message>
        <location filename="../../ui/help_dialogs.py" line="65"/>
        <source>Search chats</source>
        <translation>搜索对话</translation>
    </message>
    <message>
        <location filename="../../ui/help_dialogs.py" line="66"/>
        <source>Send the message</source>
        <translation>发送消息</translation>
    </message>
    <message>
        <location filename="../../ui/help_dialogs.py" line="66"/>
        <source>Enter</source>
        <translation>Enter</translation>
    </message>
    <message>
        <location filename="../../ui/help_dialogs.py" line="67"/>
        <source>New line in the message</source>
        <translation>在消息中换行</translation>
    </message>
    <message>
        <location filename="../../ui/help_dialogs.py" line="67"/>
        <source>Shift+Enter</source>
        <translation>Shift+Enter</translation>
    </message>
    <message>
        <location filename="../../ui/help_dialogs.py" line="68"/>
        <source>Stop the reply, stop reading aloud, cancel a recording</source>
        <translation>停止回复、停止朗读、取消录音</translation>
    </message>
    <message>
        <location filename="../../ui/help_dialogs.py" line="68"/>
        <source>Esc</source>
        <translation>Esc</translation>
    </message>
    <message>
        <location filename="../../ui/help_dialogs.py" line="69"/>
        <source>Hold to talk</source>
        <translation>按住说话</translation>
    </message>
    <message>
        <location filename="../../ui/help_dialogs.py" line="69"/>
        <source>(off: Preferences ▸ Voice)</source>
        <translation>（未设置：偏好设置 ▸ 语音）</translation>
    </message>
    <message>
        <location filename="../../ui/help_dialogs.py" line="70"/>
        <source>Voice conversation on/off</source>
        <translation>开启/关闭语音对话</translation>
    </message>
    <message>
        <location filename="../../ui/help_dialogs.py" line="71"/>
        <source>Chat settings</source>
        <translation>对话设置</translation>
    </message>
    <message>
        <location filename="../../ui/help_dialogs.py" line="72"/>
        <source>Preferences</source>
        <translation>偏好设置</translation>
    </message>
    <message>
        <location filename="../../ui/help_dialogs.py" line="73"/>
        <source>Paste an image</source>
        <translation>粘贴图片</translation>
    </message>
    <message>
        <location filename="../../ui/help_dialogs.py" line="75"/>
        <source>Quit</source>
        <translation>退出</translation>
    </message>
    <message>
        <location filename="../../ui/help_dialogs.py" line="77"/>
        <source>Action</source>
        <translation>操作</translation>
    </message>
    <message>
        <location filename="../../ui/help_dialogs.py" line="77"/>
        <source>Keys</source>
        <translation>按键</translation>
    </message>
</context>
<context>
    <name>Startup</name>
    <message>
        <location filename="../../app.py" line="187"/>
        <source>This history database was written by a newer version of Desktop Assistant (schema %1; this version knows %2). Update the app, or start it with another --profile-dir.</source>
        <translation>此历史数据库由更新版本的桌面助手写入（数据库结构版本 %1；当前版本仅支持到 %2）。请更新应用，或使用其他 --profile-dir 启动。</translation>
    </message>
    <message>
        <location filename="../../app.py" line="191"/>
        <source>The history database cannot be opened:</source>
        <translation>无法打开历史数据库：</translation>
    </message>
    <message>
        <location filename="../../app.py" line="265"/>
        <source>Something unexpected went wrong. Your chats are saved; the details were written to the log.</source>
        <translation>发生意外错误。你的对话已保存，详细信息已写入日志。</translation>
    </message>
</context>
<context>
    <name>ToolCallCard</name>
    <message>
        <location filename="../../ui/tool_card.py" line="44"/>
        <source>%1 ms</source>
        <translation>%1 毫秒</translation>
    </message>
    <message>
        <location filename="../../ui/tool_card.py" line="48"/>
        <location filename="../../ui/tool_card.py" line="71"/>
        <source>Details</source>
        <translation>详情</translation>
    </message>
    <message>
        <location filename="../../ui/tool_card.py" line="61"/>
        <source>Arguments:</source>
        <translation>参数：</translation>
    </message>
    <message>
        <location filename="../../ui/tool_card.py" line="62"/>
        <source>Result:</source>
        <translation>结果：</translation>
    </message>
    <message>
        <location filename="../../ui/tool_card.py" line="71"/>
        <source>Hide</source>
        <translation>收起</translation>
    </message>
</context>
<context>
    <name>Tray</name>
    <message>
        <location filename="../../ui/tray.py" line="27"/>
        <source>New chat</source>
        <translation>新建对话</translation>
    </message>
    <message>
        <location filename="../../ui/tray.py" line="28"/>
        <source>Show</source>
        <translation>显示窗口</translation>
    </message>
    <message>
        <location filename="../../ui/tray.py" line="30"/>
        <source>Quit</source>
        <translation>退出</translation>
    </message>
    <message>
        <location filename="../../ui/tray.py" line="46"/>
        <source>Still running in the tray. Quit from its menu.</source>
        <translation>仍在系统托盘中运行。可从托盘菜单退出。</translation>
    </message>
</context>
<context>
    <name>UsageDialog</name>
    <message>
        <location filename="../../ui/usage_dialog.py" line="30"/>
        <source>Usage and costs</source>
        <translation>用量与费用</translation>
    </message>
    <message>
        <location filename="../../ui/usage_dialog.py" line="38"/>
        <source>This chat</source>
        <translation>当前对话</translation>
    </message>
    <message>
        <location filename="../../ui/usage_dialog.py" line="38"/>
        <source>By day</source>
        <translation>按天</translation>
    </message>
    <message>
        <location filename="../../ui/usage_dialog.py" line="38"/>
        <source>By month</source>
        <translation>按月</translation>
    </message>
    <message>
        <location filename="../../ui/usage_dialog.py" line="39"/>
        <source>Voice</source>
        <translation>语音</translation>
    </message>
    <message>
        <location filename="../../ui/usage_dialog.py" line="51"/>
        <source>Edit prices…</source>
        <translation>编辑价格…</translation>
    </message>
    <message>
        <location filename="../../ui/usage_dialog.py" line="52"/>
        <source>Reload prices</source>
        <translation>重新载入价格</translation>
    </message>
    <message>
        <location filename="../../ui/usage_dialog.py" line="80"/>
        <source>from %1</source>
        <translation>来自 %1</translation>
    </message>
    <message>
        <location filename="../../ui/usage_dialog.py" line="81"/>
        <source>from the built-in table</source>
        <translation>来自内置价格表</translation>
    </message>
    <message>
        <location filename="../../ui/usage_dialog.py" line="82"/>
        <source>Prices in %1 per million tokens (voice: per minute or per million characters), %2. Models without a price show tokens only.</source>
        <translation>价格单位为每百万 token 的 %1（语音：按分钟或每百万字符计），%2。没有价格的模型只显示 token 数。</translation>
    </message>
    <message>
        <location filename="../../ui/usage_dialog.py" line="86"/>
        <source>Your price file could not be read (%1); the built-in prices are used.</source>
        <translation>无法读取你的价格文件（%1），已改用内置价格。</translation>
    </message>
    <message>
        <location filename="../../ui/usage_dialog.py" line="91"/>
        <location filename="../../ui/usage_dialog.py" line="126"/>
        <source>Period</source>
        <translation>时间</translation>
    </message>
    <message>
        <location filename="../../ui/usage_dialog.py" line="92"/>
        <location filename="../../ui/usage_dialog.py" line="126"/>
        <source>Model</source>
        <translation>模型</translation>
    </message>
    <message>
        <location filename="../../ui/usage_dialog.py" line="92"/>
        <source>Replies</source>
        <translation>回复数</translation>
    </message>
    <message>
        <location filename="../../ui/usage_dialog.py" line="92"/>
        <source>Input tokens</source>
        <translation>输入 token</translation>
    </message>
    <message>
        <location filename="../../ui/usage_dialog.py" line="92"/>
        <source>Cached</source>
        <translation>缓存</translation>
    </message>
    <message>
        <location filename="../../ui/usage_dialog.py" line="93"/>
        <source>Output tokens</source>
        <translation>输出 token</translation>
    </message>
    <message>
        <location filename="../../ui/usage_dialog.py" line="93"/>
        <location filename="../../ui/usage_dialog.py" line="127"/>
        <source>Cost</source>
        <translation>费用</translation>
    </message>
    <message>
        <location filename="../../ui/usage_dialog.py" line="115"/>
        <location filename="../../ui/usage_dialog.py" line="116"/>
        <source>Total</source>
        <translation>合计</translation>
    </message>
    <message>
        <location filename="../../ui/usage_dialog.py" line="125"/>
        <source>Transcription</source>
        <translation>语音转写</translation>
    </message>
    <message>
        <location filename="../../ui/usage_dialog.py" line="125"/>
        <source>Spoken replies</source>
        <translation>朗读回复</translation>
    </message>
    <message>
        <location filename="../../ui/usage_dialog.py" line="126"/>
        <source>Use</source>
        <translation>用途</translation>
    </message>
    <message>
        <location filename="../../ui/usage_dialog.py" line="126"/>
        <source>Requests</source>
        <translation>请求数</translation>
    </message>
    <message>
        <location filename="../../ui/usage_dialog.py" line="126"/>
        <source>Minutes</source>
        <translation>分钟</translation>
    </message>
    <message>
        <location filename="../../ui/usage_dialog.py" line="127"/>
        <source>Characters</source>
        <translation>字符数</translation>
    </message>
</context>
<context>
    <name>UserMessageWidget</name>
    <message>
        <location filename="../../ui/message_widgets.py" line="492"/>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <location filename="../../ui/message_widgets.py" line="493"/>
        <source>Save &amp;&amp; send</source>
        <translation>保存并发送</translation>
    </message>
    <message>
        <location filename="../../ui/message_widgets.py" line="503"/>
        <source>Copy</source>
        <translation>复制</translation>
    </message>
    <message>
        <location filename="../../ui/message_widgets.py" line="504"/>
        <source>Edit and resend</source>
        <translation>编辑并重新发送</translation>
    </message>
</context>
<context>
    <name>Voice</name>
    <message>
        <location filename="../../ui/audio_text.py" line="14"/>
        <source>Spoken replies need the PortAudio library (on Debian/Ubuntu: sudo apt install libportaudio2).</source>
        <translation>朗读回复需要 PortAudio 库（Debian/Ubuntu：sudo apt install libportaudio2）。</translation>
    </message>
    <message>
        <location filename="../../ui/audio_text.py" line="16"/>
        <source>No speaker or headphones were found. Connect some, or check that the sound system is running.</source>
        <translation>未找到扬声器或耳机。请连接设备，或检查声音系统是否在运行。</translation>
    </message>
    <message>
        <location filename="../../ui/audio_text.py" line="18"/>
        <source>The speaker is busy or unavailable. Close other apps using it, or pick another in Preferences ▸ Voice.</source>
        <translation>扬声器被占用或不可用。请关闭正在使用它的其他应用，或在“偏好设置 ▸ 语音”中选择其他设备。</translation>
    </message>
    <message>
        <location filename="../../ui/audio_text.py" line="20"/>
        <source>The speaker stopped working (unplugged?). Reading aloud was stopped.</source>
        <translation>扬声器停止工作（是否被拔出？），已停止朗读。</translation>
    </message>
    <message>
        <location filename="../../ui/audio_text.py" line="22"/>
        <source>This speech format needs ffmpeg. Install ffmpeg, or choose the PCM format in Preferences ▸ Voice.</source>
        <translation>此语音格式需要 ffmpeg。请安装 ffmpeg，或在“偏好设置 ▸ 语音”中选择 PCM 格式。</translation>
    </message>
    <message>
        <location filename="../../ui/audio_text.py" line="27"/>
        <source>Voice input needs the PortAudio library (on Debian/Ubuntu: sudo apt install libportaudio2).</source>
        <translation>语音输入需要 PortAudio 库（Debian/Ubuntu：sudo apt install libportaudio2）。</translation>
    </message>
    <message>
        <location filename="../../ui/audio_text.py" line="29"/>
        <source>No microphone was found. Connect one, or check that the sound system is running.</source>
        <translation>未找到麦克风。请连接麦克风，或检查声音系统是否在运行。</translation>
    </message>
    <message>
        <location filename="../../ui/audio_text.py" line="31"/>
        <source>No speaker or headphones were found.</source>
        <translation>未找到扬声器或耳机。</translation>
    </message>
    <message>
        <location filename="../../ui/audio_text.py" line="32"/>
        <source>The microphone is busy or unavailable. Close other apps using it and try again.</source>
        <translation>麦克风被占用或不可用。请关闭正在使用它的其他应用后重试。</translation>
    </message>
    <message>
        <location filename="../../ui/audio_text.py" line="34"/>
        <source>The microphone stopped working (unplugged?). The recording so far was discarded.</source>
        <translation>麦克风停止工作（是否被拔出？），已丢弃本次录音。</translation>
    </message>
    <message>
        <location filename="../../ui/audio_text.py" line="36"/>
        <source>A recording this long has to be compressed, which needs ffmpeg. Install ffmpeg, or record in shorter parts.</source>
        <translation>这么长的录音需要压缩，而压缩需要 ffmpeg。请安装 ffmpeg，或分段录音。</translation>
    </message>
    <message>
        <location filename="../../ui/audio_text.py" line="39"/>
        <source>The sound system failed.</source>
        <translation>声音系统出错。</translation>
    </message>
</context>
<context>
    <name>VoicePage</name>
    <message>
        <location filename="../../ui/voice_preferences.py" line="107"/>
        <location filename="../../ui/voice_preferences.py" line="111"/>
        <location filename="../../ui/voice_preferences.py" line="249"/>
        <source>Test</source>
        <translation>测试</translation>
    </message>
    <message>
        <location filename="../../ui/voice_preferences.py" line="108"/>
        <source>Record 3 seconds, then play them back</source>
        <translation>录音 3 秒，然后回放</translation>
    </message>
    <message>
        <location filename="../../ui/voice_preferences.py" line="109"/>
        <source>Microphone</source>
        <translation>麦克风</translation>
    </message>
    <message>
        <location filename="../../ui/voice_preferences.py" line="112"/>
        <source>Play a short chime</source>
        <translation>播放一段提示音</translation>
    </message>
    <message>
        <location filename="../../ui/voice_preferences.py" line="113"/>
        <source>Speaker</source>
        <translation>扬声器</translation>
    </message>
    <message>
        <location filename="../../ui/voice_preferences.py" line="123"/>
        <source>Hold this key while the window is active to talk. Input method switchers (fcitx, ibus) often take Ctrl+Space; pick another key if it does nothing. Clear it to use only the button.</source>
        <translation>在窗口处于活动状态时按住此键即可说话。输入法（fcitx、ibus）常占用 Ctrl+Space，如果按下没有反应，请换一个按键。清空则只使用按钮。</translation>
    </message>
    <message>
        <location filename="../../ui/voice_preferences.py" line="126"/>
        <source>Push-to-talk key</source>
        <translation>按键说话快捷键</translation>
    </message>
    <message>
        <location filename="../../ui/voice_preferences.py" line="130"/>
        <source> s</source>
        <translation> 秒</translation>
    </message>
    <message>
        <location filename="../../ui/voice_preferences.py" line="132"/>
        <source>Longest recording</source>
        <translation>最长录音</translation>
    </message>
    <message>
        <location filename="../../ui/voice_preferences.py" line="135"/>
        <source>Transcription model</source>
        <translation>转写模型</translation>
    </message>
    <message>
        <location filename="../../ui/voice_preferences.py" line="138"/>
        <source>Detect automatically</source>
        <translation>自动检测</translation>
    </message>
    <message>
        <location filename="../../ui/voice_preferences.py" line="146"/>
        <source>The language you speak, as a hint (an ISO-639-1 code such as zh or en)</source>
        <translation>你说的语言，作为提示（ISO-639-1 代码，如 zh 或 en）</translation>
    </message>
    <message>
        <location filename="../../ui/voice_preferences.py" line="147"/>
        <source>Spoken language</source>
        <translation>说话语言</translation>
    </message>
    <message>
        <location filename="../../ui/voice_preferences.py" line="148"/>
        <source>Translate what I say into English</source>
        <translation>把我说的话翻译成英文</translation>
    </message>
    <message>
        <location filename="../../ui/voice_preferences.py" line="150"/>
        <source>Uses audio translations (whisper-1) instead of transcriptions</source>
        <translation>使用音频翻译接口（whisper-1）而不是转写接口</translation>
    </message>
    <message>
        <location filename="../../ui/voice_preferences.py" line="154"/>
        <source>Speech model</source>
        <translation>语音合成模型</translation>
    </message>
    <message>
        <location filename="../../ui/voice_preferences.py" line="156"/>
        <source>Voice</source>
        <translation>语音</translation>
    </message>
    <message>
        <location filename="../../ui/voice_preferences.py" line="163"/>
        <source>Speed</source>
        <translation>语速</translation>
    </message>
    <message>
        <location filename="../../ui/voice_preferences.py" line="168"/>
        <source>PCM starts playing at once. Other formats play once complete and need ffmpeg; use them only for servers without PCM.</source>
        <translation>PCM 会立即开始播放。其他格式需等全部接收后才播放，并且需要 ffmpeg；仅在服务器不支持 PCM 时使用。</translation>
    </message>
    <message>
        <location filename="../../ui/voice_preferences.py" line="170"/>
        <source>Speech format</source>
        <translation>语音格式</translation>
    </message>
    <message>
        <location filename="../../ui/voice_preferences.py" line="171"/>
        <source>Read replies aloud automatically</source>
        <translation>自动朗读回复</translation>
    </message>
    <message>
        <location filename="../../ui/voice_preferences.py" line="186"/>
        <source>System default</source>
        <translation>系统默认</translation>
    </message>
    <message>
        <location filename="../../ui/voice_preferences.py" line="221"/>
        <source>%1 (not connected)</source>
        <translation>%1（未连接）</translation>
    </message>
    <message>
        <location filename="../../ui/voice_preferences.py" line="229"/>
        <source>Speak now…</source>
        <translation>请说话…</translation>
    </message>
    <message>
        <location filename="../../ui/voice_preferences.py" line="263"/>
        <source>Pick a key, optionally with Ctrl, Alt or Shift; a modifier alone cannot be held to talk.</source>
        <translation>请选择一个按键，可搭配 Ctrl、Alt 或 Shift；单独的修饰键不能用来按住说话。</translation>
    </message>
    <message>
        <location filename="../../ui/voice_preferences.py" line="267"/>
        <source>That key types text. Add Ctrl or Alt, or use a function key such as F9.</source>
        <translation>这个键会输入文字。请加上 Ctrl 或 Alt，或使用 F9 之类的功能键。</translation>
    </message>
</context>
</TS>
