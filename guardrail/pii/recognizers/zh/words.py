"""Word lists the Chinese recognizers share (data, not logic).

Surnames are the common ones by population (national census rankings), not a
list taken from the data we evaluate on. Traditional forms are listed next to
the Simplified ones by hand where they differ, because a mechanical conversion
also turns surnames into common words (于 -> 於 "at", 余 -> 餘 "remaining").
"""

from __future__ import annotations


def _chars(block: str) -> frozenset[str]:
    return frozenset(ch for ch in block if not ch.isspace())


def _words(block: str) -> tuple[str, ...]:
    return tuple(block.split())


SINGLE_SURNAMES = _chars(
    """
    王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余
    杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史
    陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟
    殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游
    辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫
    费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明
    佘池查麻苑迟邝官封谈匡鞠惠荆乐冀郁胥南班储原栗燕楚鄢劳谌奚皮粟冼蔺楼盘满闻位厉伊仝
    区郜海阚花权强帅屠豆朴盖练廉禹井祖漆巴丰支卿国狄平计索宣晋相初门云容敬来扈晁芮都普
    阙浦戈伏鹿薄邸雍辜羊阿乌母裘亓修邰赫杭况宿鲜印逯隆茹诸战慕危玉银亢嵇公哈湛宾戎勾
    傅洪赖萧茅尉阎
    """
) | _chars(
    # Traditional forms of the above that differ from the Simplified ones.
    """
    張劉陳楊黃趙吳孫馬羅鄭謝許韓馮鄧蕭蔣葉蘇呂盧鍾譚陸賈韋鄒閻龍陶賀顧龔萬錢嚴湯莊聶詹
    歐關蘭紀畢喬龐顏駱藍鮑華饒農項蘆竇費衛閔師欒隋榮鞏鄺談荊樂儲樓閆區闞權帥豐晉闕鬱戰
    鄔邊賴簡塗溫
    """
)

COMPOUND_SURNAMES = _words(
    """
    欧阳 歐陽 司马 司馬 上官 诸葛 諸葛 东方 東方 皇甫 尉迟 尉遲 公孙 公孫 慕容 长孙 長孫
    宇文 司徒 夏侯 轩辕 軒轅 令狐 端木 南宫 南宮 西门 西門 百里 呼延 独孤 獨孤 澹台 澹臺
    公冶 太史 申屠 钟离 鍾離 闻人 聞人 赫连 赫連 濮阳 濮陽 拓跋 万俟 萬俟 范姜 张简 張簡
    """
)

# Characters that end a name: function words and verbs that follow a name in
# customer messages ("王小明的订单", "李娜帮我签收"). Given names rarely use them.
NAME_STOPS = _chars(
    """
    的了是在和与跟及或把被让给从向往对到去来说讲问叫找请帮替要想会能已也都就还又再很太位係
    吗呢吧啊呀哦嘛么啦哈呵我你他她它您们这那哪有没不别先女姐老师经理总
    电话手机号码邮箱地址住收寄发买卖订退换付打签拿送取用看等今昨年日点半时分
    電話手機號碼郵箱地址們這說講問讓給從對來會還嗎麼發買賣訂換點時幫替與跟請叫簽寄
    ，。！？、；：,.!?;:()（）\n\t 0123456789
    """
)

# Words after a name that say it is a person ("张先生", "李经理").
TITLES = _words(
    """
    先生 女士 小姐 太太 夫人 老师 老師 经理 經理 总监 總監 主任 主管 医生 醫生 大夫 律师 律師
    教授 博士 师傅 師傅 同学 同學 阿姨 叔叔 老板 老闆 总 總 工 处长 處長 科长 科長 部长 部長
    专员 專員
    """
)

# Cantonese titles right after a surname: 陳生 (Mr Chan), 李太 (Mrs Lee),
# taken after a word that addresses or looks for a person (搵陳生, 問李太).
CANTONESE_TITLES = _words("生 太")
CANTONESE_TITLE_LEADS = _words("搵 揾 找 問 问 同 叫 係 系 俾 畀 請 请 致 等 轉 转 聯絡 联络 通知")

# Words before a name that introduce it. Field labels end with an optional colon.
INTRODUCERS = _words(
    """
    我叫 我是 我姓 本人 本人是 名字是 名字叫 叫做 姓名 名字 收件人 收货人 收貨人 联系人 聯繫人
    聯絡人 寄件人 发件人 發件人 持卡人 户名 戶名 开户名 開戶名 签收人 簽收人 订购人 訂購人
    下单人 下單人 申请人 申請人 客户 客戶 用户名 署名 落款 真实姓名 真實姓名 称呼 稱呼
    我係 我系 收件者 收货者 收貨者
    乘客 乘机人 乘機人 乘车人 乘車人 旅客 入住人 住客 房客 租客 投保人 被保险人 被保險人 受益人
    患者 病人 车主 車主 业主 業主 户主 戶主 房主 收款人 付款人 汇款人 匯款人 账户名 帳戶名
    持证人 持證人 买家 買家 卖家 賣家 经办人 經辦人 担保人 擔保人 负责人 負責人 寄件者
    """
)

# People a customer mentions by relation ("我老公王伟", "快递员李师傅").
RELATIONS = _words(
    """
    老公 老婆 丈夫 妻子 爱人 愛人 先生 太太 爸爸 妈妈 媽媽 父亲 父親 母亲 母親 儿子 兒子 女儿
    女兒 哥哥 姐姐 弟弟 妹妹 朋友 同事 室友 邻居 鄰居 家人 快递员 快遞員 配送员 配送員 骑手 騎手
    客服 店员 店員 员工 員工 联系 聯繫 聯絡 找 给 給 告诉 告訴 转告 轉告 感谢 感謝 谢谢 謝謝
    师傅 師傅 司机 司機 安装工 安裝工 维修工 維修工 技师 技師 我妈 我媽 我爸 我老豆 我老母
    """
)

# Two-character words that look like surname + given name but are ordinary
# ("谢谢" thanks, "高兴" glad): never a name on their own.
NOT_NAMES = frozenset(
    _words(
        """
        谢谢 謝謝 高兴 高興 方便 明白 江湖 金额 金額 文件 安装 安裝 安全 程序 白天 常用 常见 常見
        黄金 黃金 石头 石頭 马上 馬上 包裹 包装 包裝 周末 周一 周二 周三 周四 周五 周六 周日 关于
        關於 关注 關注 华为 華為 方面 方式 方法 向上 任何 原因 原来 原來 时间 時間 于是 於是 齐全
        齊全 全部 全额 全額 国内 國內 国外 國外 海外 海关 海關 宁可 应该 應該 应用 應用 和好 平台
        平臺 都是 都有 都在 邮件 郵件 路上 连接 連接 连续 連續 花费 花費 费用 費用 简单 簡單 毛病
        王者 张开 張開
        """
    )
)

# Context words that raise an identifier's score when they precede it.
ID_CONTEXT = (
    "身份证", "身份證", "证件", "證件", "身份号", "身份號", "居民身份", "id", "证号", "證號",
    "统一编号", "統一編號", "國民身分證", "身分證", "身分证", "香港身份证", "香港身份證",
)
PHONE_CONTEXT = (
    "电话", "電話", "手机", "手機", "联系方式", "聯繫方式", "聯絡方式", "号码", "號碼", "致电",
    "致電", "来电", "來電", "打给", "打給", "短信", "簡訊", "微信", "回电", "回電", "座机", "座機",
    "tel", "phone", "mobile",
)
CARD_CONTEXT = (
    "卡号", "卡號", "银行卡", "銀行卡", "信用卡", "借记卡", "借記卡", "储蓄卡", "儲蓄卡", "银联",
    "銀聯", "付款卡", "账号", "帳號", "賬號", "card",
)

# Words that look like surname + given name and are taken as a name only with a
# cue ("谢谢\n苏宁" signs a message; "苏宁的订单" is the shop's): ordinary
# words, brands and places a cue-free candidate must not be.
NOT_NAMES_WITHOUT_CUE = NOT_NAMES | frozenset(
    _words(
        """
        张贴 張貼 明天 明年 明白 明显 明顯 时候 時候 高速 高级 高級 高清 黄色 黃色
        白色 白金 金色 钟表 鐘錶 鍾錶 周年 常规 常規 平时 平時 平常 安排 方向 文字 关系 關係 关闭
        關閉 包邮 包郵 路线 路線 成功 成本 成都 杭州 武汉 武漢 南京 宁波 寧波 江苏 江蘇 苏宁 蘇寧
        申通 商家 商品 商场 商場 师傅 師傅 司机 司機 官方 官网 官網 国际 國際 国家 國家 银行 銀行
        全家 全国 全國 单位 單位 单号 單號 余额 餘額 钱包 錢包 母亲 母親 修改 楼下 樓下 楼上 樓上
        满意 滿意 普通 查询 查詢 查看 麻烦 麻煩 茅台 茅臺 车主 車主 门店 門店 门口 門口 阿姨 季度
        温度 溫度 沙发 沙發 权益 權益 宿舍 房间 房間 房东 房東 万一 萬一 戴尔 戴爾 苹果 龙虾 龍蝦
        海鲜 海鮮 花店 严重 嚴重 解决 解決 冷藏 米色 项目 項目 计划 計劃 相关 相關 支付 卫生 衛生
        荣耀 榮耀 乐高 樂高 蒙牛 伊利 米家 花生 海南 云南 雲南 安徽 江西 万达 萬達 国美 國美 华润
        華潤 康佳 韩国 韓國 石材 谷歌 雷蛇 牛排 毛巾 毛线 毛線 杨梅 楊梅 黄桃 黃桃 门卫 門衛 明明
        柏林 时尚 時尚 明星 江南 田园 田園 江小白 钟薛高 鍾薛高 陶瓷 高雄
        """
    )
)

# Cue-free names (no introducer, title or relation around them) are taken
# only before one of these: "何雪梅的会员积分", "王伟说", "李娜签收了".
# Possessed nouns (after 的 / Cantonese 嘅): a customer's account things.
# Not 地址: "海淀的地址", "金华的地址" are places far more often than people.
POSSESSED = _words(
    """
    订单 訂單 账户 帳戶 賬戶 账号 帳號 賬號 快递 快遞 包裹 电话 電話 手机 手機 号码 號碼 名字
    会员 會員 积分 積分 邮箱 郵箱 身份证 身份證 身分證 银行卡 銀行卡 信用卡 卡号 卡號 发票
    發票 电邮 電郵
    """
)
# Verbs a person does in a customer's story.
NAME_VERBS = _words(
    """
    说 說 讲 講 打电话 打電話 打了电话 打了電話 下单 下單 下的单 下的單 签收 簽收 签的收 簽的收
    """
)
# Words a cue-free name may follow, consumed so that a surname character ending
# them (查, 师) is not taken as the name's first character ("查王伟的订单",
# "老师王芳说").
NAME_LEADS = _words(
    """
    帮忙查 幫忙查 查询 查詢 查一下 查下 查查 查 帮 幫 替 问 問 找 给 給 让 讓 叫 通知 提醒 跟 和
    与 與 是 请 請 老师 老師 律师 律師 技师 技師 医师 醫師 厨师 廚師 工程师 工程師 设计师 設計師
    """
)
# Characters that end common words starting with a surname character (门店,
# 杭州, 银行, 商家) and are rare in given names: a cue-free candidate with one
# of them in its given name is no name.
NOT_GIVEN = _chars(
    """
    州市省区區县縣镇鎮村局厂廠部司网網站队隊店场場行业業品货貨款费費号號码碼单單户戶址件
    机機器具车車票价價格额額钱錢包装裝表式法面间間候们們么麼些样樣种種类類个個次第
    上下里裡外内內前后後边邊方部分全总總共所以因为為于於被把将將向对對从從到过過
    年日周週末色规規则則程序级級速用常便排系統统线線功本际際关關闭閉
    开開贴貼张張看询詢烦煩台臺亲親改楼樓意通主口姨度房
    衣衫裤褲鞋袜襪帽材奶鱼魚窝窩蛇蔗肉蛋菜果瓜糖粉饼餅茶酒油药藥厘釐圆圓歌尔爾徽西达達
    瓷条條榴客管层層未卓身人
    """
)
